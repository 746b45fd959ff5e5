// The ledger as people read it: payments, grants and refunds one by one, API usage summed per UTC day
// (one line a day instead of one per request), for the billing page.
import { sql } from "drizzle-orm";
import type { LedgerKind } from "../../db/schema";
import type { Db } from "../env";

export type StatementLine = {
  id: string;
  kind: LedgerKind;
  amountMicros: number;
  reason: string;
  /** Entries summed into this line (1 except for a day's usage). */
  entries: number;
  createdAt: string;
};

export async function ledgerStatement(db: Db, accountId: string, limit: number): Promise<StatementLine[]> {
  const rows = await db.all<{
    id: string;
    kind: LedgerKind;
    amount: number;
    reason: string;
    entries: number;
    at: number;
  }>(sql`
    SELECT id, kind, amount_micros AS amount, reason, 1 AS entries, created_at AS at
      FROM credit_ledger WHERE account_id = ${accountId} AND kind != 'usage'
    UNION ALL
    SELECT 'usage-' || strftime('%Y-%m-%d', created_at / 1000, 'unixepoch'), 'usage', sum(amount_micros),
           'API usage on ' || strftime('%Y-%m-%d', created_at / 1000, 'unixepoch'), count(*), max(created_at)
      FROM credit_ledger WHERE account_id = ${accountId} AND kind = 'usage'
      GROUP BY strftime('%Y-%m-%d', created_at / 1000, 'unixepoch')
    ORDER BY at DESC LIMIT ${limit}`);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    amountMicros: Number(r.amount),
    reason: r.reason,
    entries: Number(r.entries),
    createdAt: new Date(Number(r.at)).toISOString(),
  }));
}
