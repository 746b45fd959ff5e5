// Applies a verified Stripe event exactly once: its id is inserted in the same D1 batch as its effect, so
// a redelivery — even a concurrent one — fails on the primary key and the whole batch rolls back. Every
// signed, well-formed event is recorded, also those that change nothing here (answered `ignored`), so a
// replay of any of them is a `duplicate`.
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { z } from "zod";
import { stripeEvents } from "../../../db/schema";
import type { Config } from "../../config";
import type { Db } from "../../env";
import { AppError, badRequest } from "../../errors";
import { log } from "../../observability/log";
import { creditChanged } from "../credits";
import { type Effect, type IgnoredReason, ignore, NO_EFFECT, type Store } from "./effect";
import { Charge, CheckoutSession, Dispute, Invoice, Subscription } from "./objects";
import { chargeRefunded, checkoutSettled, disputeChanged } from "./payments";
import { invoiceFailed, invoicePaid, subscriptionChanged } from "./subscriptions";

type Outcome = "applied" | "duplicate" | "ignored";

/** What the webhook answers: what happened to the event, and why when it was ignored. */
export type EventResult = { outcome: Outcome; reason?: IgnoredReason };

function parse<T extends z.ZodType>(schema: T, event: Stripe.Event): z.infer<T> {
  const parsed = schema.safeParse(event.data.object);
  if (!parsed.success) throw badRequest(`Unexpected ${event.type} payload.`, undefined, "invalid_event");
  return parsed.data;
}

/**
 * How to compute the effect of each event type billing handles (payload parsed up front, so a malformed
 * one is refused before anything is read or written); the types it does not handle are recorded, ignored.
 */
function handlerOf(store: Store, config: Config, event: Stripe.Event): () => Promise<Effect> {
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const session = parse(CheckoutSession, event);
      return () => checkoutSettled(store, session, event.id);
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
      return () => chargeRefunded(store, charge, event.id);
    }
    case "charge.dispute.created":
    case "charge.dispute.funds_withdrawn": {
      const dispute = parse(Dispute, event);
      return () => disputeChanged(store, dispute, "open", event.id);
    }
    case "charge.dispute.funds_reinstated": {
      const dispute = parse(Dispute, event);
      return () => disputeChanged(store, dispute, "won", event.id);
    }
    case "charge.dispute.closed": {
      const dispute = parse(Dispute, event);
      // An inquiry closed without a chargeback ("warning_closed") took no funds: as good as won.
      const state = dispute.status === "lost" ? "lost" : "won";
      return () => disputeChanged(store, dispute, state, event.id);
    }
    default:
      return async () => ignore("unhandled_event_type");
  }
}

async function seen(db: Db, eventId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: stripeEvents.id })
    .from(stripeEvents)
    .where(eq(stripeEvents.id, eventId));
  return Boolean(row);
}

/** D1 could not take the event's batch: nothing was recorded, so Stripe's retry applies it later. */
const notRecorded = () =>
  new AppError(503, "The event could not be recorded now; it will be applied when Stripe retries it.", {
    code: "temporarily_unavailable",
    type: "api_error",
  });

export async function applyEvent(
  env: Env,
  db: Db,
  config: Config,
  event: Stripe.Event,
): Promise<EventResult> {
  const store: Store = { db, d1: env.DB };
  const handler = handlerOf(store, config, event);
  let effect: Effect;
  try {
    if (await seen(db, event.id)) return { outcome: "duplicate" };
    effect = await handler();
    const record = store.d1
      .prepare("INSERT INTO stripe_events (id, type, created, received_at) VALUES (?, ?, ?, ?)")
      .bind(event.id, event.type, event.created, Date.now());
    try {
      await store.d1.batch([record, ...effect.statements]);
    } catch (error) {
      // A concurrent delivery of the same event won the race: its batch committed, ours rolled back whole.
      if (await seen(db, event.id)) return { outcome: "duplicate" };
      throw error;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    // D1 failed: whatever ran rolled back whole and the event is not recorded; a non-2xx answer makes
    // Stripe deliver it again, and that delivery applies it.
    log.error("stripe event not recorded", { error });
    throw notRecorded();
  }
  if (effect.ignored) return { outcome: "ignored", reason: effect.ignored };
  try {
    // The account's Durable Object holds a cached balance: a credit or reversal must reach it now.
    if (effect.accountId) await creditChanged(env, effect.accountId);
    await effect.after?.(env);
  } catch (error) {
    // The event is applied; a failed follow-up (a notice) must not make Stripe redeliver it.
    log.error("stripe event follow-up failed", { error });
  }
  return { outcome: "applied" };
}
