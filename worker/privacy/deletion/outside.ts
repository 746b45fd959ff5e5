// Erasure at outside processors: the Stripe customer (which also cancels its subscriptions; Stripe keeps
// the invoices as system of record). Safe to repeat: an already-deleted customer counts as done.
import { customerIdOf } from "../../billing/customers";
import { stripeClient } from "../../billing/stripe-client";
import { getConfig } from "../../config";
import { getDb } from "../../db";

export async function deleteStripeCustomer(env: Env, accountId: string): Promise<number> {
  const customerId = await customerIdOf(getDb(env.DB), accountId);
  // Without Stripe configured no customer can exist there; a stale id is then dropped with the row.
  if (!customerId || !getConfig(env).stripe.secretKey) return 0;
  try {
    await stripeClient(getConfig(env)).customers.del(customerId);
  } catch (error) {
    const code = (error as { code?: string; statusCode?: number }) ?? {};
    if (code.code !== "resource_missing" && code.statusCode !== 404) throw error;
  }
  return 1;
}
