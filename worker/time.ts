// Durations in milliseconds, written once for the Worker and the dashboard, and how a duration reads in a text.
/** @internal */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/**
 * How a notice or a page names a duration it enforces, from the constant itself: whole days beyond three
 * ("7 days", "30 days"), whole hours up to three days ("24 hours", "72 hours"), otherwise minutes.
 */
export function durationText(ms: number): string {
  if (ms > 3 * DAY_MS && ms % DAY_MS === 0) return plural(ms / DAY_MS, "day");
  if (ms >= HOUR_MS && ms % HOUR_MS === 0) return plural(ms / HOUR_MS, "hour");
  return plural(Math.round(ms / MINUTE_MS), "minute");
}
