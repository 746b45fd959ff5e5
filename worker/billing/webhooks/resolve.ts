// Which account a Stripe object belongs to: the linked customer first, then the account id we put in
// client_reference_id/metadata when creating the Checkout session (events can beat the link).
import { and, eq, isNull } from "drizzle-orm";
import { accounts, billingAccounts, creditLedger } from "../../../db/schema";
import type { Db } from "../../env";
import { ensureBillingAccount } from "../ledger";

async function accountForCustomer(db: Db, customerId: string | null | undefined) {
  if (!customerId) return undefined;
  const [row] = await db
    .select({ accountId: billingAccounts.accountId })
    .from(billingAccounts)
    .where(eq(billingAccounts.stripeCustomerId, customerId));
  return row?.accountId;
}

/** The account of a Stripe object, with its billing row in place; undefined when it is not ours. */
export async function resolveAccount(
  db: Db,
  customerId: string | null | undefined,
  hints: (string | null | undefined)[],
): Promise<string | undefined> {
  const linked = await accountForCustomer(db, customerId);
  if (linked) return linked;
  for (const hint of hints) {
    if (!hint) continue;
    const [row] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, hint));
    if (row) {
      await ensureBillingAccount(db, row.id);
      return row.id;
    }
  }
  return undefined;
}

/** Links the customer to the account if the account has none yet (part of an event's batch). */
export function linkCustomer(db: Db, accountId: string, customerId: string | null | undefined) {
  if (!customerId) return undefined;
  return db
    .update(billingAccounts)
    .set({ stripeCustomerId: customerId })
    .where(and(eq(billingAccounts.accountId, accountId), isNull(billingAccounts.stripeCustomerId)));
}

/** The account whose credit a payment bought, found through the ledger. */
export async function accountForPayment(db: Db, paymentIntent: string | null | undefined) {
  if (!paymentIntent) return undefined;
  const [row] = await db
    .select({ accountId: creditLedger.accountId })
    .from(creditLedger)
    .where(eq(creditLedger.paymentRef, paymentIntent))
    .limit(1);
  return row?.accountId;
}
