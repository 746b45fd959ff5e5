// The ledger as people read it: payments, grants and refunds one by one, API usage one line per UTC hour
// (the ledger keeps one usage entry per account and hour; older per-request entries are summed the same way),
// with the hour's request count from the usage aggregates while they are hourly, for the billing page.
import { sql } from "drizzle-orm";
import type { LedgerKind } from "../../db/schema";
import type { Db } from "../env";
import { HOUR_MS } from "../time";

export type StatementLine = {
  id: string;
  kind: LedgerKind;
  amountMicros: number;
  reason: string;
  /** Requests in a usage hour (from usage_hourly; null once the hour was rolled into a day, or not usage). */
  requests: number | null;
  createdAt: string;
};

export async function ledgerStatement(db: Db, accountId: string, limit: number): Promise<StatementLine[]> {
  const rows = await db.all<{
    id: string;
    kind: LedgerKind;
    amount: number;
    reason: string;
    requests: number | null;
    at: number;
  }>(sql`
    SELECT id, kind, amount_micros AS amount, reason, NULL AS requests, created_at AS at
      FROM credit_ledger WHERE account_id = ${accountId} AND kind != 'usage'
    UNION ALL
    SELECT 'usage-' || hour, 'usage', sum(amount),
           'Usage, ' || strftime('%Y-%m-%d %H:00', hour / 1000, 'unixepoch') || ' UTC',
           (SELECT sum(requests) FROM usage_hourly h WHERE h.account_id = ${accountId} AND h.hour = u.hour), hour
      FROM (SELECT amount_micros AS amount, created_at - created_at % ${HOUR_MS} AS hour
              FROM credit_ledger WHERE account_id = ${accountId} AND kind = 'usage') u
      GROUP BY hour
    ORDER BY at DESC LIMIT ${limit}`);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    amountMicros: Number(r.amount),
    reason: r.reason,
    requests: r.requests === null ? null : Number(r.requests),
    createdAt: new Date(Number(r.at)).toISOString(),
  }));
}
