// The 30-day clock in words ("12 days left", "overdue by 3 hours"), from a duration the loader computed,
// so the server and the browser render the same text.
import { DAY_MS, HOUR_MS } from "#worker/time";

function span(ms: number): string {
  if (ms >= DAY_MS) {
    const days = Math.floor(ms / DAY_MS);
    return `${days} day${days === 1 ? "" : "s"}`;
  }
  if (ms < HOUR_MS) return "under an hour";
  const hours = Math.floor(ms / HOUR_MS);
  return `${hours} hour${hours === 1 ? "" : "s"}`;
}

export function formatTimeLeft(msLeft: number): string {
  return msLeft < 0 ? `overdue by ${span(-msLeft)}` : `${span(msLeft)} left`;
}
