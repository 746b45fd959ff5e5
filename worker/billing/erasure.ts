// Account deletion's billing step: cancel the subscription and delete the Stripe customer. Deleting a
// customer cancels its subscriptions and removes its payment methods; Stripe keeps its invoices.
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { billingAccounts } from "../../db/schema";
import { getConfig } from "../config";
import { getDb } from "../db";
import { customerIdOf } from "./customers";
import { stripeClient } from "./stripe-client";

/**
 * Deletes the account's Stripe customer (if any) and unlinks it. Safe to run again after a crash: a
 * customer Stripe already deleted counts as done. Returns whether there was a customer to delete.
 */
export async function eraseStripeCustomer(
  env: Env,
  accountId: string,
): Promise<{ customerDeleted: boolean }> {
  const db = getDb(env.DB);
  const customerId = await customerIdOf(db, accountId);
  if (!customerId) return { customerDeleted: false };
  try {
    // DELETE is idempotent by definition; Stripe ignores idempotency keys on it, so none is sent.
    await stripeClient(getConfig(env)).customers.del(customerId);
  } catch (error) {
    const gone =
      error instanceof Stripe.errors.StripeInvalidRequestError && error.code === "resource_missing";
    if (!gone) throw error;
  }
  await db
    .update(billingAccounts)
    .set({ stripeCustomerId: null, subscriptionStatus: "canceled" })
    .where(eq(billingAccounts.accountId, accountId));
  return { customerDeleted: true };
}
