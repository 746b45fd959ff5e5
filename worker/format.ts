// How counts and times read to people, the same on the server, in the browser and in notices (fixed locale,
// UTC). Money has its own formatter beside the ledger (billing/money.ts).

/** A whole number with thousands separators: "1,234,567". */
export function formatInt(n: number): string {
  const sign = n < 0 ? "-" : "";
  return sign + String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A count and what it counts, singular or plural: "1 file", "12 records", "1,000 requests". */
export function formatCount(n: number, noun: string, plural = `${noun}s`): string {
  return `${formatInt(n)} ${n === 1 ? noun : plural}`;
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : "—";
}

/** "2026-12-06 04:10 UTC", or with seconds "2026-12-06 04:10:05 UTC" (for rows that are close in time). */
export function formatDateTime(iso: string | null | undefined, seconds = false): string {
  if (!iso) return "—";
  return `${iso.slice(0, seconds ? 19 : 16).replace("T", " ")} UTC`;
}

/** Whether a list of times needs seconds to tell its rows apart: two of them fall in the same minute. */
export function needsSeconds(isos: readonly (string | null | undefined)[]): boolean {
  const minutes = isos.filter(Boolean).map((iso) => iso!.slice(0, 16));
  return new Set(minutes).size < minutes.length;
}
