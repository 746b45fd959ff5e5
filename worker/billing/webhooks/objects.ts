// The parts of Stripe's event objects billing reads, parsed with zod (the rest is ignored). Ids may
// arrive bare or expanded, and Stripe moved some fields between API versions; both shapes are accepted.
import { z } from "zod";

const Id = z.string().min(1).max(255);
/** A reference that is either an id or the expanded object. */
const Ref = z.union([Id, z.object({ id: Id })]).transform((v) => (typeof v === "string" ? v : v.id));
const Metadata = z.record(z.string(), z.string()).nullish();
const Cents = z.number().int().min(0);

export const CheckoutSession = z.object({
  id: Id,
  mode: z.string(),
  payment_status: z.string(),
  customer: Ref.nullish(),
  client_reference_id: z.string().nullish(),
  metadata: Metadata,
  amount_total: Cents.nullish(),
  payment_intent: Ref.nullish(),
});
export type CheckoutSession = z.infer<typeof CheckoutSession>;

export const Subscription = z.object({
  id: Id,
  customer: Ref,
  status: z.string(),
  metadata: Metadata,
  current_period_end: z.number().int().nullish(),
  /** A cancellation scheduled in the portal: at the period's end, or at a given time (newer API versions). */
  cancel_at_period_end: z.boolean().nullish(),
  cancel_at: z.number().int().nullish(),
  items: z
    .object({
      data: z.array(
        z.object({ price: z.object({ id: Id }), current_period_end: z.number().int().nullish() }),
      ),
    })
    .optional(),
});
export type Subscription = z.infer<typeof Subscription>;

const InvoiceLine = z.object({
  price: z.object({ id: Id }).nullish(),
  pricing: z.object({ price_details: z.object({ price: Ref }).nullish() }).nullish(),
});

export const Invoice = z.object({
  id: Id,
  customer: Ref.nullish(),
  number: z.string().nullish(),
  status: z.string().nullish(),
  amount_due: Cents,
  amount_paid: Cents,
  currency: z.string().max(10),
  hosted_invoice_url: z.string().max(2048).nullish(),
  lines: z.object({ data: z.array(InvoiceLine) }).optional(),
  /** Older API versions; newer ones list payments instead. */
  payment_intent: Ref.nullish(),
  payments: z
    .object({ data: z.array(z.object({ payment: z.object({ payment_intent: Ref.nullish() }).nullish() })) })
    .nullish(),
});
export type Invoice = z.infer<typeof Invoice>;

export const Charge = z.object({
  id: Id,
  amount: Cents,
  amount_refunded: Cents,
  payment_intent: Ref.nullish(),
});
export type Charge = z.infer<typeof Charge>;

export const Dispute = z.object({
  id: Id,
  charge: Ref,
  payment_intent: Ref.nullish(),
  /** needs_response, under_review, won, lost, warning_closed, … (read on charge.dispute.closed). */
  status: z.string().max(64).optional(),
});
export type Dispute = z.infer<typeof Dispute>;

/** The price ids an invoice bills, whichever shape its lines have. */
export function invoicePrices(invoice: Invoice): string[] {
  return (invoice.lines?.data ?? []).flatMap((line) => {
    const id = line.pricing?.price_details?.price ?? line.price?.id;
    return id ? [id] : [];
  });
}

/** The payment intent that paid an invoice, when the event carries it. */
export function invoicePaymentIntent(invoice: Invoice): string | null {
  return (
    invoice.payment_intent ??
    invoice.payments?.data.find((p) => p.payment?.payment_intent)?.payment?.payment_intent ??
    null
  );
}

export function subscriptionPrice(subscription: Subscription): string | null {
  return subscription.items?.data[0]?.price.id ?? null;
}

export function subscriptionPeriodEnd(subscription: Subscription): number | null {
  return subscription.current_period_end ?? subscription.items?.data[0]?.current_period_end ?? null;
}

/** When a scheduled cancellation ends the subscription (seconds), or null when it renews. */
export function subscriptionEndsAt(subscription: Subscription): number | null {
  if (subscription.cancel_at) return subscription.cancel_at;
  return subscription.cancel_at_period_end ? subscriptionPeriodEnd(subscription) : null;
}
