// The 30-day clock: a request is due min(received + 30 days, received + 1 calendar month) (DOMAIN §1).
import { DAY_MS, HOUR_MS } from "../../time";

export function dueDate(receivedAt: Date, days: number): Date {
  const byDays = new Date(receivedAt.getTime() + days * DAY_MS);
  const byMonth = new Date(receivedAt);
  byMonth.setUTCMonth(byMonth.getUTCMonth() + 1);
  // A month past the 31st overflows (Jan 31 + 1 month = Mar 3); the day count then decides anyway.
  return byMonth < byDays ? byMonth : byDays;
}

/** Nearly due: fewer than this many days left, operators are told. */
export const NEARLY_DUE_DAYS = 5;

/** A personal data breach must reach the supervisory authority within 72 hours of awareness (Art. 33(1)). */
export const BREACH_CLOCK_HOURS = 72;

/** The breach clock: the same kind of deadline, counted in hours from detection. */
export function breachDueDate(detectedAt: Date): Date {
  return new Date(detectedAt.getTime() + BREACH_CLOCK_HOURS * HOUR_MS);
}
