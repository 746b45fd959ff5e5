// Credit enforcement for the AI proxy: reserve the most a request can cost before forwarding it,
// settle to the metered cost afterwards. One conditional D1 insert decides each reservation, so
// concurrent requests can never jointly hold more than the balance (docs/decisions/040).
import { eq, lt, sql } from "drizzle-orm";
import { billingAccounts, creditHolds } from "../../db/schema";
import { getDb } from "../db";
import type { Db } from "../env";
import { AppError } from "../errors";
import { appendEntry, ensureBillingAccount } from "./ledger";
import { markCrossing, sendLowBalanceNotice } from "./low-balance";

/** A reservation held for one request; null when nothing was reserved. */
export type CreditHold = { id: string; accountId: string; amountMicros: number } | null;

/**
 * A hold stops counting after this long even if its request never settles (an evicted isolate), so a
 * crash can block credit for at most this long. Longer than any stream the proxy lets run.
 */
export const HOLD_TTL_MS = 30 * 60 * 1000;

export const insufficientCredit = () =>
  new AppError(
    402,
    "Your credit balance is too low for this request. Top up or upgrade on the billing page.",
    {
      code: "insufficient_credit",
    },
  );

/**
 * Inserts the hold only if balance − live holds ≥ the amount (and the balance is positive): D1 runs one
 * statement at a time, so the check and the insert cannot interleave with another reservation.
 */
async function tryHold(db: Db, accountId: string, id: string, amountMicros: number, now: number) {
  const result = await db.run(sql`
    INSERT INTO credit_holds (id, account_id, amount_micros, expires_at)
    SELECT ${id}, ${accountId}, ${amountMicros}, ${now + HOLD_TTL_MS}
    FROM billing_accounts b
    WHERE b.account_id = ${accountId}
      AND b.balance_micros - coalesce((
        SELECT sum(h.amount_micros) FROM credit_holds h
        WHERE h.account_id = ${accountId} AND h.expires_at > ${now}
      ), 0) >= max(${amountMicros}, 1)`);
  return result.meta.changes === 1;
}

/** Reserves up to `maxCostMicros` for one request; throws AppError 402 when the balance cannot cover it. */
export async function reserveCredit(env: Env, accountId: string, maxCostMicros: number): Promise<CreditHold> {
  const db = getDb(env.DB);
  const amountMicros = Math.max(0, Math.ceil(maxCostMicros));
  const id = crypto.randomUUID();
  if (await tryHold(db, accountId, id, amountMicros, Date.now())) return { id, accountId, amountMicros };
  // First request billing has seen for this account: open its billing row (with the trial) and retry once.
  if (!(await billingRowExists(db, accountId))) {
    await ensureBillingAccount(db, accountId);
    if (await tryHold(db, accountId, id, amountMicros, Date.now())) return { id, accountId, amountMicros };
  }
  throw insufficientCredit();
}

async function billingRowExists(db: Db, accountId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: billingAccounts.accountId })
    .from(billingAccounts)
    .where(eq(billingAccounts.accountId, accountId));
  return Boolean(row);
}

/**
 * Releases a hold and charges the metered cost (called once per request, off the response path). The
 * charge is the metered cost even when it exceeds the hold, so the balance may dip below zero by at most
 * that excess; the next reservation is then refused. Settling the same usage twice charges once.
 */
export async function settleCredit(
  env: Env,
  hold: CreditHold,
  costMicros: number,
  usageId: string,
): Promise<void> {
  if (!hold) return;
  const db = getDb(env.DB);
  const cost = Math.max(0, Math.round(costMicros));
  const release = db.delete(creditHolds).where(eq(creditHolds.id, hold.id));
  if (cost === 0) {
    await release;
    return;
  }
  const charge = appendEntry(db, {
    accountId: hold.accountId,
    kind: "usage",
    amountMicros: -cost,
    reason: "API usage",
    reference: usageId,
  });
  // One round trip: release, charge (the trigger moves the balance), and mark a low-balance crossing.
  const [, , crossed] = await db.batch([release, charge, markCrossing(db, hold.accountId)]);
  if (crossed[0]) await sendLowBalanceNotice(env, hold.accountId, crossed[0].balance);
}

/** Cron: deletes holds that expired without being settled (they already stopped counting). */
export async function sweepExpiredHolds(env: Env, now: Date): Promise<void> {
  await getDb(env.DB).delete(creditHolds).where(lt(creditHolds.expiresAt, now));
}
