// The credit ledger: entries whose sum is the balance — append-only, except that an hour's usage entry grows in
// place (the credit desk writes it). Triggers keep the cached running balance on billing_accounts;
// `recomputeBalance` re-derives it from the entries (docs/decisions/040).
import { and, desc, eq, sql } from "drizzle-orm";
import { billingAccounts, creditLedger, type LedgerKind } from "../../db/schema";
import type { Db } from "../env";
import { PLANS } from "./plans";
import type { LedgerView } from "./views";

export type LedgerEntry = {
  accountId: string;
  kind: LedgerKind;
  amountMicros: number;
  reason: string;
  reference: string;
  paymentRef?: string | null;
};

/** One ledger entry, written at most once per (account, kind, reference): replays insert nothing. */
export function appendEntry(db: Db, entry: LedgerEntry, at = new Date()) {
  return db
    .insert(creditLedger)
    .values({ id: crypto.randomUUID(), ...entry, paymentRef: entry.paymentRef ?? null, createdAt: at })
    .onConflictDoNothing();
}

/** Creates the account's billing row and grants the free trial credit, both at most once. */
export async function ensureBillingAccount(db: Db, accountId: string): Promise<void> {
  const now = new Date();
  await db.batch([
    db.insert(billingAccounts).values({ accountId, createdAt: now }).onConflictDoNothing(),
    appendEntry(
      db,
      {
        accountId,
        kind: "trial",
        amountMicros: PLANS.free.trialMicros,
        reason: "Free trial credit",
        reference: "trial",
      },
      now,
    ),
  ]);
}

/** The cached running balance, or undefined when billing has never seen the account. */
export async function cachedBalance(db: Db, accountId: string): Promise<number | undefined> {
  const [row] = await db
    .select({ balance: billingAccounts.balanceMicros })
    .from(billingAccounts)
    .where(eq(billingAccounts.accountId, accountId));
  return row?.balance;
}

/**
 * The balance derived from the ledger itself; always equals the cached one.
 * @internal
 */
export async function recomputeBalance(db: Db, accountId: string): Promise<number> {
  const [row] = await db
    .select({ total: sql<number>`coalesce(sum(${creditLedger.amountMicros}), 0)` })
    .from(creditLedger)
    .where(eq(creditLedger.accountId, accountId));
  return Number(row?.total ?? 0);
}

export async function recentEntries(db: Db, accountId: string, limit: number): Promise<LedgerView[]> {
  const rows = await db
    .select()
    .from(creditLedger)
    .where(eq(creditLedger.accountId, accountId))
    .orderBy(desc(creditLedger.createdAt), desc(creditLedger.id))
    .limit(limit);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    amountMicros: r.amountMicros,
    reason: r.reason,
    reference: r.reference,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** The opening balance at `since`, then the balance after each day with ledger activity, for the chart. */
export async function dailyBalances(
  db: Db,
  accountId: string,
  since: Date,
): Promise<{ day: string; balanceMicros: number }[]> {
  const day = sql<string>`strftime('%Y-%m-%d', ${creditLedger.createdAt} / 1000, 'unixepoch')`;
  const [opening] = await db
    .select({ total: sql<number>`coalesce(sum(${creditLedger.amountMicros}), 0)` })
    .from(creditLedger)
    .where(and(eq(creditLedger.accountId, accountId), sql`${creditLedger.createdAt} < ${since.getTime()}`));
  const days = await db
    .select({ day, change: sql<number>`sum(${creditLedger.amountMicros})` })
    .from(creditLedger)
    .where(and(eq(creditLedger.accountId, accountId), sql`${creditLedger.createdAt} >= ${since.getTime()}`))
    .groupBy(day)
    .orderBy(day);
  let running = Number(opening?.total ?? 0);
  if (days.length === 0) return [];
  // The opening balance, so the line starts at the left edge instead of at the first change.
  const start = { day: since.toISOString().slice(0, 10), balanceMicros: running };
  return [
    start,
    ...days.map((d) => {
      running += Number(d.change);
      return { day: d.day, balanceMicros: running };
    }),
  ];
}
