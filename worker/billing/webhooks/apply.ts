// Applies a verified Stripe event exactly once: its id is inserted in the same D1 batch as its effect, so
// a redelivery — even a concurrent one — fails on the primary key and the whole batch rolls back.
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { z } from "zod";
import { stripeEvents } from "../../../db/schema";
import type { Config } from "../../config";
import type { Db } from "../../env";
import { badRequest } from "../../errors";
import { creditChanged } from "../credits";
import { type Effect, NO_EFFECT, type Store } from "./effect";
import { Charge, CheckoutSession, Dispute, Invoice, Subscription } from "./objects";
import { chargeRefunded, checkoutSettled, disputeCreated } from "./payments";
import { invoiceFailed, invoicePaid, subscriptionChanged } from "./subscriptions";

export type Outcome = "applied" | "duplicate" | "ignored";

function parse<T extends z.ZodType>(schema: T, event: Stripe.Event): z.infer<T> {
  const parsed = schema.safeParse(event.data.object);
  if (!parsed.success) throw badRequest(`Unexpected ${event.type} payload.`, undefined, "invalid_event");
  return parsed.data;
}

/**
 * How to compute the effect of each event type billing handles (payload parsed up front, so a malformed
 * one is refused before anything is read or written); undefined for the types it ignores.
 */
function handlerOf(store: Store, config: Config, event: Stripe.Event): (() => Promise<Effect>) | undefined {
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const session = parse(CheckoutSession, event);
      return () => checkoutSettled(store, session);
    }
    case "checkout.session.async_payment_failed":
      // Nothing was paid, so nothing is credited; recording the event is the whole effect.
      parse(CheckoutSession, event);
      return async () => NO_EFFECT;
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      const subscription = parse(Subscription, event);
      return () => subscriptionChanged(store, subscription, event.created);
    }
    case "invoice.paid": {
      const invoice = parse(Invoice, event);
      return () => invoicePaid(store, config, invoice, event.created);
    }
    case "invoice.payment_failed": {
      const invoice = parse(Invoice, event);
      return () => invoiceFailed(store, invoice, event.created);
    }
    case "charge.refunded": {
      const charge = parse(Charge, event);
      return () => chargeRefunded(store, charge);
    }
    case "charge.dispute.created": {
      const dispute = parse(Dispute, event);
      return () => disputeCreated(store, dispute);
    }
    default:
      return undefined;
  }
}

async function seen(db: Db, eventId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: stripeEvents.id })
    .from(stripeEvents)
    .where(eq(stripeEvents.id, eventId));
  return Boolean(row);
}

export async function applyEvent(env: Env, db: Db, config: Config, event: Stripe.Event): Promise<Outcome> {
  const store: Store = { db, d1: env.DB };
  const handler = handlerOf(store, config, event);
  if (!handler) return "ignored";
  if (await seen(db, event.id)) return "duplicate";
  const { statements, after, accountId } = await handler();
  const record = store.d1
    .prepare("INSERT INTO stripe_events (id, type, created, received_at) VALUES (?, ?, ?, ?)")
    .bind(event.id, event.type, event.created, Date.now());
  try {
    await store.d1.batch([record, ...statements]);
  } catch (error) {
    // A concurrent delivery of the same event won the race: its batch committed, ours rolled back whole.
    if (await seen(db, event.id)) return "duplicate";
    throw error;
  }
  try {
    // The account's Durable Object holds a cached balance: a credit or reversal must reach it now.
    if (accountId) await creditChanged(env, accountId);
    await after?.(env);
  } catch (error) {
    // The event is applied; a failed follow-up (a notice) must not make Stripe redeliver it.
    console.error(`stripe event follow-up failed: ${error instanceof Error ? error.name : "error"}`);
  }
  return "applied";
}
