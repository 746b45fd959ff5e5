// An account's logging choice as the request path needs it: read from D1, cached briefly in the
// isolate (a few seconds, so a change elsewhere takes effect quickly) and evicted here on every change. A
// request that finds the entry just expired may answer from it while it is re-read in the background (the
// capture itself re-reads past the cache, so a stale "on" never stores content that is now "off").
import { getDb } from "../db";
import { readPrivacySettings } from "../settings/store";
import type { LoggingPolicy } from "./capture";

const TTL_MS = 5_000;
/** How long past its expiry an entry may still answer while a background read refreshes it. */
const STALE_MS = 60_000;
const MAX_ENTRIES = 10_000;
const cache = new Map<string, { value: LoggingPolicy; expires: number; refreshing?: boolean }>();

/** The policy as stored right now, bypassing the cache (and refreshing it). */
export async function freshLoggingPolicy(env: Env, accountId: string): Promise<LoggingPolicy> {
  const s = await readPrivacySettings(getDb(env.DB), accountId);
  const value = {
    enabled: s.contentLogging,
    retentionDays: s.retentionDays,
    trainingConsent: s.trainingConsent,
    dataPolicy: s.dataPolicy,
  };
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(accountId, { value, expires: Date.now() + TTL_MS });
  return value;
}

/**
 * The cached policy; with `background` (the caller's waitUntil), an entry expired less than STALE_MS ago
 * answers at once and is re-read off the response path, so the request path awaits no D1 read in steady state.
 */
export async function cachedLoggingPolicy(
  env: Env,
  accountId: string,
  background?: (work: Promise<unknown>) => void,
): Promise<LoggingPolicy> {
  const hit = cache.get(accountId);
  const now = Date.now();
  if (hit && hit.expires > now) return hit.value;
  if (hit && background && now - hit.expires < STALE_MS) {
    if (!hit.refreshing) {
      hit.refreshing = true;
      background(
        freshLoggingPolicy(env, accountId).catch(() => {
          hit.refreshing = false; // the next request tries again; the request path never waits for it
        }),
      );
    }
    return hit.value;
  }
  return freshLoggingPolicy(env, accountId);
}

/** Whether a request now would await a D1 read for the policy (for the bench's count of awaited calls). */
export function policyNeedsRead(accountId: string, now: number): boolean {
  const hit = cache.get(accountId);
  return !hit || now - hit.expires >= STALE_MS;
}

/** Called after the settings change, so this isolate never acts on the old choice. */
export function forgetLoggingPolicy(accountId: string): void {
  cache.delete(accountId);
}
