// Hosted Stripe pages: Checkout for a subscription or a prepaid top-up, and the customer portal.
// Card data only ever goes to Stripe; we send a customer id, a price or an amount, and return URLs.
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { billingAccounts } from "../../db/schema";
import type { Config } from "../config";
import type { Db } from "../env";
import { AppError, conflict } from "../errors";
import { log } from "../observability/log";
import { ensureCustomer } from "./customers";
import { effectivePlan, type PaidPlanId, priceForPlan } from "./plans";
import { stripeClient } from "./stripe-client";

export type CheckoutRequest =
  | { kind: "subscription"; plan: PaidPlanId }
  | { kind: "topup"; amountCents: number };

/** Stripe failures become one 502 that names no Stripe internals. */
async function viaStripe<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) {
      log.error("stripe request failed", { code: error.type });
      throw new AppError(502, "The payment provider did not answer as expected. Try again.", {
        code: "payment_provider_error",
        type: "api_error",
      });
    }
    throw error;
  }
}

const returnUrl = (origin: string, outcome?: string) =>
  `${origin}/dashboard/billing${outcome ? `?checkout=${outcome}` : ""}`;

async function currentPlan(db: Db, config: Config, accountId: string) {
  const [row] = await db.select().from(billingAccounts).where(eq(billingAccounts.accountId, accountId));
  return effectivePlan(config, {
    status: row?.subscriptionStatus ?? null,
    priceId: row?.subscriptionPriceId ?? null,
  });
}

/** Creates a Checkout session and returns its URL. */
export async function createCheckout(
  db: Db,
  config: Config,
  accountId: string,
  input: CheckoutRequest,
  origin: string,
): Promise<{ url: string }> {
  const price = input.kind === "subscription" ? priceForPlan(config, input.plan) : undefined;
  if (input.kind === "subscription" && !price) {
    throw new AppError(400, `The ${input.plan} plan is not on sale here.`, {
      param: "plan",
      code: "unknown_plan",
    });
  }
  if (input.kind === "subscription" && (await currentPlan(db, config, accountId)) !== "free") {
    throw conflict(
      "You already have a subscription; change it in the customer portal.",
      "already_subscribed",
    );
  }
  const customer = await viaStripe(() => ensureCustomer(db, config, accountId));
  const common = {
    customer,
    client_reference_id: accountId,
    success_url: returnUrl(origin, "success"),
    cancel_url: returnUrl(origin, "canceled"),
  };
  const params: Stripe.Checkout.SessionCreateParams =
    input.kind === "subscription"
      ? {
          ...common,
          mode: "subscription",
          line_items: [{ price, quantity: 1 }],
          metadata: { accountId, kind: "subscription", plan: input.plan },
          subscription_data: { metadata: { accountId, plan: input.plan } },
        }
      : {
          ...common,
          mode: "payment",
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: "usd",
                unit_amount: input.amountCents,
                product_data: { name: "Prepaid API credit" },
              },
            },
          ],
          metadata: { accountId, kind: "topup" },
          payment_intent_data: { metadata: { accountId, kind: "topup" } },
        };
  const session = await viaStripe(() =>
    stripeClient(config).checkout.sessions.create(params, {
      idempotencyKey: `checkout-${crypto.randomUUID()}`,
    }),
  );
  if (!session.url)
    throw new AppError(502, "The payment provider returned no checkout page.", { type: "api_error" });
  return { url: session.url };
}

/** A customer-portal session (invoices, payment methods, plan changes, cancellation). */
export async function createPortal(
  db: Db,
  config: Config,
  accountId: string,
  origin: string,
): Promise<{ url: string }> {
  const customer = await viaStripe(() => ensureCustomer(db, config, accountId));
  const session = await viaStripe(() =>
    stripeClient(config).billingPortal.sessions.create(
      { customer, return_url: returnUrl(origin) },
      { idempotencyKey: `portal-${crypto.randomUUID()}` },
    ),
  );
  return { url: session.url };
}
