// How long a browser session lives, as pure decisions over a clock: idle and absolute expiry, and when a
// lookup refreshes last-seen. sessions.ts applies them to D1; tests/node/session-timing.test.ts checks them.
import { HOUR_MS } from "../time";

export const SESSION_IDLE_MS = 7 * 24 * 3600 * 1000;
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600 * 1000;
/**
 * last_seen_at is refreshed at most this often, so reads stay reads.
 * @internal
 */
export const TOUCH_INTERVAL_MS = HOUR_MS;

/** When a session created at `now` ends however active it stays. */
export function sessionExpiresAt(now: number): Date {
  return new Date(now + SESSION_ABSOLUTE_MS);
}

/**
 * What a lookup at `now` does with a session last seen at `lastSeenAt` (before its absolute expiry):
 * "idle" — unused too long, end it; "touch" — in use, move last-seen to now; "fresh" — seen within the hour.
 */
export function sessionFreshness(lastSeenAt: Date, now: number): "idle" | "touch" | "fresh" {
  const quiet = now - lastSeenAt.getTime();
  if (quiet > SESSION_IDLE_MS) return "idle";
  if (quiet > TOUCH_INTERVAL_MS) return "touch";
  return "fresh";
}
