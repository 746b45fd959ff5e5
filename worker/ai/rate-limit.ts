// Per-key requests-per-minute limit, counted in the isolate (no I/O on the hot path). Bound: each isolate
// counts on its own, so a key served by N isolates at once can reach N × its limit (ADR 022).
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { tooManyRequests } from "../errors";

const WINDOW_MS = 60_000;
const MAX_KEYS = 50_000;

type Window = { start: number; count: number };
const windows = new Map<string, Window>();

/** Counts one request for `keyId`; returns the seconds to wait when the limit is already reached. */
export function take(keyId: string, limit: number, now: number): number | undefined {
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

export const rateLimitPerKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = c.var.apiKey!;
  const limit = key.rateLimitRpm ?? c.var.config.ai.rateLimitRpm;
  const wait = take(key.keyId, limit, Date.now());
  if (wait !== undefined) {
    throw tooManyRequests(wait, `This key is limited to ${limit} requests per minute.`);
  }
  await next();
};
