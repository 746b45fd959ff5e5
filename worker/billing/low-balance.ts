// The low-balance notice: sent once each time the balance falls below the threshold, re-armed when
// credit brings it back above. The crossing is recorded on the billing row, so it is sent once.
import { and, eq, gte, isNull, lt } from "drizzle-orm";
import { accounts, billingAccounts } from "../../db/schema";
import { getDb } from "../db";
import type { Db } from "../env";
import { sendNotice } from "../notices/send";
import { noticesEnabled } from "../settings/store";
import { formatMicros } from "./money";
import { LOW_BALANCE_MICROS } from "./plans";

/** Marks the crossing if the balance is below the threshold and no notice went out since it last rose. */
function markCrossing(db: Db, accountId: string) {
  return db
    .update(billingAccounts)
    .set({ lowBalanceNotifiedAt: new Date() })
    .where(
      and(
        eq(billingAccounts.accountId, accountId),
        lt(billingAccounts.balanceMicros, LOW_BALANCE_MICROS),
        isNull(billingAccounts.lowBalanceNotifiedAt),
      ),
    )
    .returning({ balance: billingAccounts.balanceMicros });
}

/** Sends the notice for a crossing just marked, unless the account switched technical notices off. */
export async function sendLowBalanceNotice(
  env: Env,
  accountId: string,
  balanceMicros: number,
): Promise<void> {
  const db = getDb(env.DB);
  if (!(await noticesEnabled(db, accountId))) return;
  const [account] = await db
    .select({ email: accounts.email })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  if (!account) return;
  try {
    await sendNotice(env, {
      to: account.email,
      kind: "low_balance",
      accountId,
      subject: "Your credit balance is running low",
      text: [
        `Your credit balance is ${formatMicros(balanceMicros)}, below ${formatMicros(LOW_BALANCE_MICROS)}.`,
        "API requests are refused with 402 once it cannot cover them.",
        "Top up or change your plan on the billing page of your dashboard.",
      ].join("\n"),
    });
  } catch (error) {
    // Undo the mark so the next charge tries again; a lost notice is worse than a late one.
    await db
      .update(billingAccounts)
      .set({ lowBalanceNotifiedAt: null })
      .where(eq(billingAccounts.accountId, accountId));
    throw error;
  }
}

/** Sends the notice if the balance has just crossed below the threshold (at most once per crossing). */
export async function noteLowBalance(env: Env, accountId: string): Promise<void> {
  const [crossed] = await markCrossing(getDb(env.DB), accountId);
  if (crossed) await sendLowBalanceNotice(env, accountId, crossed.balance);
}

/** Re-arms the notice once credit has lifted the balance back to the threshold (for credit batches). */
export function rearmLowBalance(db: Db, accountId: string) {
  return db
    .update(billingAccounts)
    .set({ lowBalanceNotifiedAt: null })
    .where(
      and(eq(billingAccounts.accountId, accountId), gte(billingAccounts.balanceMicros, LOW_BALANCE_MICROS)),
    );
}
