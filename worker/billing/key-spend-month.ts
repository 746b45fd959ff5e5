// A key's month-to-date spend as pure arithmetic over UTC months (ADR 026): key-spend.ts keeps the figures in the
// account object's SQLite; tests/node/key-spend-month.test.ts checks this (npm run mutate).

/** A key's spend in one UTC month (`month`: its start, epoch ms). */
export type Spend = { month: number; spent: number };

/** Start of the UTC calendar month holding `at` (epoch ms): a key's monthly spend restarts there. */
export function monthStart(at: number): number {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/**
 * The spend after a metered row costing `cost` at `at`: a row of a later month starts that month from zero; a late
 * row of a month already over, or one that cost nothing, changes nothing (undefined).
 */
export function spendAfter(s: Spend, cost: number, at: number): Spend | undefined {
  if (cost <= 0) return undefined;
  const month = monthStart(at);
  if (month < s.month) return undefined;
  return { month, spent: (month > s.month ? 0 : s.spent) + cost };
}

/** What was spent in the month holding `now` (0 when the figure is of an earlier month, or there is none). */
export function spentIn(s: Spend | undefined, now: number): number {
  return s && s.month === monthStart(now) ? s.spent : 0;
}
