// Per-key request limits for /v1: Cloudflare's Rate Limiting binding counts across isolates (one namespace per
// tier, since a namespace's limit is fixed), an isolate counter enforces the key's exact value as a pre-filter,
// and open streams per key are capped in the isolate (ADR 025).
import type { MiddlewareHandler } from "hono";
import type { ApiKeyEnv } from "../env";
import { tooManyRequests } from "../errors";

const WINDOW_MS = 60_000;
const MAX_KEYS = 50_000;
/**
 * Streams one key may hold open at once in one isolate; the next one is answered 429.
 * @internal
 */
export const MAX_OPEN_STREAMS_PER_KEY = 32;

/**
 * The binding's namespaces (wrangler.toml `[[ratelimits]]`, period 60 s), smallest first. A key is counted in
 * the smallest tier at or above its own limit; a limit above the largest tier is counted in the isolate only.
 */
const RATE_TIERS = [
  { rpm: 60, binding: "RL_RPM_60" },
  { rpm: 300, binding: "RL_RPM_300" },
  { rpm: 600, binding: "RL_RPM_600" },
  { rpm: 1_200, binding: "RL_RPM_1200" },
  { rpm: 3_000, binding: "RL_RPM_3000" },
  { rpm: 6_000, binding: "RL_RPM_6000" },
  { rpm: 30_000, binding: "RL_RPM_30000" },
  { rpm: 120_000, binding: "RL_RPM_120000" },
] as const;

/** @internal */
export function tierFor(rpm: number): (typeof RATE_TIERS)[number] | undefined {
  return RATE_TIERS.find((t) => t.rpm >= rpm);
}

type Window = { start: number; count: number };
const windows = new Map<string, Window>();

/** Counts one request for `keyId`; returns the seconds to wait when the limit is already reached. */
function take(keyId: string, limit: number, now: number): number | undefined {
  const start = now - (now % WINDOW_MS);
  let window = windows.get(keyId);
  if (!window || window.start !== start) {
    if (!window && windows.size >= MAX_KEYS) windows.delete(windows.keys().next().value!);
    window = { start, count: 0 };
    windows.set(keyId, window);
  }
  if (window.count >= limit) return (start + WINDOW_MS - now) / 1000;
  window.count += 1;
  return undefined;
}

const openStreams = new Map<string, number>();

/** Takes one open-stream slot for the key; returns a release function, or undefined when the cap is reached. */
export function openStream(keyId: string): (() => void) | undefined {
  const open = openStreams.get(keyId) ?? 0;
  if (open >= MAX_OPEN_STREAMS_PER_KEY) return undefined;
  openStreams.set(keyId, open + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (openStreams.get(keyId) ?? 1) - 1;
    if (left <= 0) openStreams.delete(keyId);
    else openStreams.set(keyId, left);
  };
}

export const tooManyStreams = () =>
  tooManyRequests(
    1,
    `This key already has ${MAX_OPEN_STREAMS_PER_KEY} streams open; wait for one to finish.`,
  );

/** Counts one request of `id` (a key, or an internal caller's account) against `limit` per minute. */
export async function limitRequests(env: Env, id: string, limit: number, message: string): Promise<void> {
  // The isolate's own count first: an id already over its limit here costs no binding call.
  const now = Date.now();
  let wait = take(id, limit, now);
  if (wait === undefined) {
    const tier = tierFor(limit);
    const binding = tier ? (env[tier.binding] as RateLimit | undefined) : undefined;
    if (binding && !(await binding.limit({ key: id })).success) wait = (WINDOW_MS - (now % WINDOW_MS)) / 1000;
  }
  if (wait !== undefined) throw tooManyRequests(wait, message);
}

export const rateLimitPerKey: MiddlewareHandler<ApiKeyEnv> = async (c, next) => {
  // c.get, not c.var: hono builds c.var as a new object of every context variable on each read.
  const key = c.get("apiKey");
  const limit = key.rateLimitRpm ?? c.get("config").ai.rateLimitRpm;
  await limitRequests(c.env, key.keyId, limit, `This key is limited to ${limit} requests per minute.`);
  await next();
};
