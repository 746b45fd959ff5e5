// The ledger as people read it: payments, grants and refunds one by one, API usage one line per UTC hour
// (the ledger keeps one usage entry per account and hour; older per-request entries are summed the same way),
// with the hour's request count from the usage aggregates while they are hourly, for the billing page. Newest
// first: an hour of usage sorts by its end (it may have been charged until then), so a top-up at 04:10 comes
// after the 04:00–05:00 usage that followed it.
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
    SELECT id, kind, amount_micros AS amount, reason, NULL AS requests, created_at AS at, created_at AS sort_at
      FROM credit_ledger WHERE account_id = ${accountId} AND kind != 'usage'
    UNION ALL
    SELECT 'usage-' || hour, 'usage', sum(amount),
           'Usage, ' || strftime('%Y-%m-%d %H:00', hour / 1000, 'unixepoch') || '–'
             || strftime('%H:00', (hour + ${HOUR_MS}) / 1000, 'unixepoch') || ' UTC',
           (SELECT sum(requests) FROM usage_hourly h WHERE h.account_id = ${accountId} AND h.hour = u.hour), hour,
           hour + ${HOUR_MS} - 1
      FROM (SELECT amount_micros AS amount, created_at - created_at % ${HOUR_MS} AS hour
              FROM credit_ledger WHERE account_id = ${accountId} AND kind = 'usage') u
      GROUP BY hour
    ORDER BY sort_at DESC, at DESC LIMIT ${limit}`);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    amountMicros: Number(r.amount),
    reason: r.reason,
    requests: r.requests === null ? null : Number(r.requests),
    createdAt: new Date(Number(r.at)).toISOString(),
  }));
}
