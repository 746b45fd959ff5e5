// Billing test helpers: signed Stripe deliveries, the fake Stripe's request log, and ledger inspection.
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { billingAccounts, creditLedger, stripeEvents } from "#db/schema";
import { type CreditHold, creditChanged, flushCredits } from "#worker/billing/credits";
import { appendEntry, cachedBalance, ensureBillingAccount, recomputeBalance } from "#worker/billing/ledger";
import { getDb } from "#worker/db";
import { recordUsage } from "#worker/usage/record";
import { call } from "./helpers";
import { usageRow } from "./request-log";

export const WEBHOOK_SECRET = "whsec_test";
export const db = () => getDb(env.DB);

let seq = 0;
export const uid = (prefix: string) =>
  `${prefix}_test_${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

export type StripeEventInput = {
  type: string;
  object: Record<string, unknown>;
  id?: string;
  created?: number;
};

export function stripeEvent(input: StripeEventInput) {
  return {
    id: input.id ?? uid("evt"),
    object: "event",
    api_version: "2026-10-28.endive",
    created: input.created ?? Math.floor(Date.now() / 1000),
    type: input.type,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: input.object },
  };
}

/** A Checkout session that paid a top-up of `cents` for the account (`extra` overrides or adds fields). */
export function topupSession(accountId: string, cents: number, extra: Record<string, unknown> = {}) {
  return {
    id: uid("cs"),
    object: "checkout.session",
    mode: "payment",
    payment_status: "paid",
    client_reference_id: accountId,
    customer: null,
    metadata: { accountId, kind: "topup" },
    amount_total: cents,
    payment_intent: uid("pi"),
    ...extra,
  };
}

/** POSTs a payload to /webhooks/stripe signed as Stripe would (optionally with another secret or time). */
export async function deliverRaw(
  payload: string,
  options: { secret?: string; timestamp?: number; signature?: string | null } = {},
): Promise<Response> {
  const signature =
    options.signature === undefined
      ? await Stripe.webhooks.generateTestHeaderStringAsync({
          payload,
          secret: options.secret ?? WEBHOOK_SECRET,
          timestamp: options.timestamp,
          cryptoProvider: Stripe.createSubtleCryptoProvider(),
        })
      : options.signature;
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  if (signature !== null) headers["stripe-signature"] = signature;
  return call("/webhooks/stripe", { rawBody: payload, headers });
}

export async function deliver(event: ReturnType<typeof stripeEvent>): Promise<Response> {
  return deliverRaw(JSON.stringify(event));
}

export async function deliverOk(event: ReturnType<typeof stripeEvent>): Promise<string> {
  const res = await deliver(event);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`webhook ${event.type}: ${res.status} ${text}`);
  return (JSON.parse(text) as { outcome: string }).outcome;
}

/** Decoded Stripe form parameters: nested objects and arrays of strings. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary nested form fields.
type FormParams = Record<string, any>;

export async function fakeStripeRequests(): Promise<
  { method: string; path: string; idempotencyKey: string | null; params: FormParams }[]
> {
  const res = await fetch(`${env.STRIPE_API_BASE_URL}/__requests`);
  return (
    (await res.json()) as {
      data: { method: string; path: string; idempotencyKey: string | null; params: FormParams }[];
    }
  ).data;
}

export async function ledgerOf(accountId: string) {
  return db().select().from(creditLedger).where(eq(creditLedger.accountId, accountId));
}

export async function billingRow(accountId: string) {
  const [row] = await db().select().from(billingAccounts).where(eq(billingAccounts.accountId, accountId));
  return row;
}

export async function eventRecorded(id: string): Promise<boolean> {
  const [row] = await db().select().from(stripeEvents).where(eq(stripeEvents.id, id));
  return Boolean(row);
}

/** The balance once buffered debits reached D1, after asserting that it equals the sum of the ledger. */
export async function balanceOf(accountId: string): Promise<number> {
  await flushCredits(env, accountId);
  const cached = await cachedBalance(db(), accountId);
  const derived = await recomputeBalance(db(), accountId);
  if (cached !== derived) throw new Error(`cached balance ${cached} != ledger sum ${derived}`);
  return derived;
}

/** Brings an account's balance to exactly `micros` with an operator adjustment. */
export async function setBalance(accountId: string, micros: number): Promise<void> {
  await ensureBillingAccount(db(), accountId);
  const current = await balanceOf(accountId);
  if (current === micros) return;
  await appendEntry(db(), {
    accountId,
    kind: "adjustment",
    amountMicros: micros - current,
    reason: "test setup",
    reference: uid("adj"),
  });
  await creditChanged(env, accountId);
}

/** Links a fresh fake customer id to the account, as a completed checkout would. */
export async function linkCustomer(accountId: string): Promise<string> {
  await ensureBillingAccount(db(), accountId);
  const customer = uid("cus");
  await db()
    .update(billingAccounts)
    .set({ stripeCustomerId: customer })
    .where(eq(billingAccounts.accountId, accountId));
  return customer;
}

/**
 * Ends one request's billing the one way production does: its usage row, costing `costMicros`, goes with its
 * hold through recordUsage to the account object's meterBatch, which settles the hold once per usage id.
 */
export function meter(hold: CreditHold, costMicros: number, usageId = uid("usage")): Promise<void> {
  if (!hold) throw new Error("meter needs a hold (reserveCredit's answer)");
  const row = usageRow(hold.accountId, hold.keyId ?? null, { id: usageId, costMicros });
  return recordUsage(env, row, hold);
}
