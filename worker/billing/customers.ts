// The Stripe customer of an account: created once, linked both ways (our id in its metadata, its id on
// the billing row). Two concurrent first checkouts share one customer through the idempotency key.
import { and, eq, isNull } from "drizzle-orm";
import { accounts, billingAccounts } from "../../db/schema";
import type { Config } from "../config";
import type { Db } from "../env";
import { notFound } from "../errors";
import { ensureBillingAccount } from "./ledger";
import { stripeClient } from "./stripe-client";

export async function customerIdOf(db: Db, accountId: string): Promise<string | null> {
  const [row] = await db
    .select({ customerId: billingAccounts.stripeCustomerId })
    .from(billingAccounts)
    .where(eq(billingAccounts.accountId, accountId));
  return row?.customerId ?? null;
}

/** The account's Stripe customer id, creating the customer the first time. */
export async function ensureCustomer(db: Db, config: Config, accountId: string): Promise<string> {
  await ensureBillingAccount(db, accountId);
  const known = await customerIdOf(db, accountId);
  if (known) return known;
  const [account] = await db
    .select({ email: accounts.email })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  if (!account) throw notFound("Account");
  const customer = await stripeClient(config).customers.create(
    { email: account.email, metadata: { accountId } },
    // Stable per account: a retried or concurrent creation returns the same customer (Stripe keeps keys 24 h).
    { idempotencyKey: `customer-create-${accountId}` },
  );
  await db
    .update(billingAccounts)
    .set({ stripeCustomerId: customer.id })
    .where(and(eq(billingAccounts.accountId, accountId), isNull(billingAccounts.stripeCustomerId)));
  return (await customerIdOf(db, accountId)) ?? customer.id;
}
