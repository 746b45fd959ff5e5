// Numbers for the flushes an account's object sends to D1 (usage sums, ledger debits; ADR 090): each stream's
// numbers only grow, so D1 keeps one high-water mark per account and stream (accounts.usage_flushed_seq,
// credit_flushed_seq) and a flush applies only above it — a retried flush adds nothing twice, and D1 keeps no row
// per flush. A number is the later of the clock (ms) and the last number + 1, and the last is stored in the
// object, so neither a restart nor a clock behind the last one can reuse a number.

/** The flush streams whose marks D1 keeps (the column of `accounts` each stream's mark lives in). */
export type FlushStream = "usage" | "credit";

/** A pending flush saved before sequence numbers (a random UUID, checked against the old id tables). */
export const isLegacyFlushId = (id: string): boolean => !/^\d+$/.test(id);

/** The stream's next number, stored before it is used (in the same synchronous turn as the pending flush). */
export function nextFlushSeq(sql: SqlStorage, stream: FlushStream): number {
  sql.exec("CREATE TABLE IF NOT EXISTS flush_seq (stream TEXT PRIMARY KEY, seq INTEGER NOT NULL)");
  const last =
    sql.exec<{ seq: number }>("SELECT seq FROM flush_seq WHERE stream = ?", stream).toArray()[0]?.seq ?? 0;
  const seq = Math.max(Date.now(), last + 1);
  sql.exec(
    "INSERT INTO flush_seq (stream, seq) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq",
    stream,
    seq,
  );
  return seq;
}

/** The condition a flush's writes carry: the account still exists and has not applied this number yet. */
export function unapplied(stream: FlushStream): string {
  return `EXISTS (SELECT 1 FROM accounts WHERE id = ? AND ${stream}_flushed_seq < ?)`;
}

/** The flush's last statement: raises the mark; it changes a row only when the flush applied now. */
export function markApplied(d1: D1Database, stream: FlushStream, accountId: string, seq: number) {
  return d1
    .prepare(`UPDATE accounts SET ${stream}_flushed_seq = ? WHERE id = ? AND ${stream}_flushed_seq < ?`)
    .bind(seq, accountId, seq);
}

/**
 * Whether a flush saved under a legacy UUID was applied: its id is in the old id table. Read only; the release
 * that drops `usage_flushes` and `credit_flushes` (a contract migration, ADR 070) drops this too.
 */
export async function legacyFlushApplied(
  d1: D1Database,
  table: "usage_flushes" | "credit_flushes",
  id: string,
): Promise<boolean> {
  return (await d1.prepare(`SELECT 1 AS found FROM ${table} WHERE id = ?`).bind(id).first()) !== null;
}

/**
 * After a flush's batch failed (its answer may be lost): true when it was applied all the same, or the account
 * is gone (nothing is left to write to); false when it must be sent again.
 */
export async function appliedOrGone(
  d1: D1Database,
  stream: FlushStream,
  accountId: string,
  seq: number,
): Promise<boolean> {
  const row = await d1
    .prepare(`SELECT ${stream}_flushed_seq AS seq FROM accounts WHERE id = ?`)
    .bind(accountId)
    .first<{ seq: number }>();
  return !row || row.seq >= seq;
}
