// An account's logging choice as the request path needs it: read from D1, cached briefly in the
// isolate (a few seconds, so a change elsewhere takes effect quickly) and evicted here on every change.
import { getDb } from "../db";
import { readPrivacySettings } from "../settings/store";
import type { LoggingPolicy } from "./capture";

const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;
const cache = new Map<string, { value: LoggingPolicy; expires: number }>();

/** The policy as stored right now, bypassing the cache (and refreshing it). */
export async function freshLoggingPolicy(env: Env, accountId: string): Promise<LoggingPolicy> {
  const s = await readPrivacySettings(getDb(env.DB), accountId);
  const value = {
    enabled: s.contentLogging,
    retentionDays: s.retentionDays,
    trainingConsent: s.trainingConsent,
  };
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(accountId, { value, expires: Date.now() + TTL_MS });
  return value;
}

export async function cachedLoggingPolicy(env: Env, accountId: string): Promise<LoggingPolicy> {
  const hit = cache.get(accountId);
  if (hit && hit.expires > Date.now()) return hit.value;
  return freshLoggingPolicy(env, accountId);
}

/** Called after the settings change, so this isolate never acts on the old choice. */
export function forgetLoggingPolicy(accountId: string): void {
  cache.delete(accountId);
}
