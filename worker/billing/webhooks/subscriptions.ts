// Subscription state and invoices. Stripe delivers events in any order: a subscription event only
// overwrites state from an older one (by `created`), and a paid invoice grants the plan's credit once.
import { and, eq, sql } from "drizzle-orm";
import { billingAccounts, billingInvoices } from "../../../db/schema";
import type { Config } from "../../config";
import type { Db } from "../../env";
import { appendEntry } from "../ledger";
import { rearmLowBalance } from "../low-balance";
import { PLANS, planForPrice } from "../plans";
import { type Effect, effect, ignore, type Store } from "./effect";
import {
  type Invoice,
  invoicePaymentIntent,
  invoicePrices,
  type Subscription,
  subscriptionEndsAt,
  subscriptionPeriodEnd,
  subscriptionPrice,
} from "./objects";
import { linkCustomer, resolveAccount } from "./resolve";

const LIVE = "('active', 'trialing', 'past_due')";

/** customer.subscription.created/updated/deleted: apply the object's state unless newer state is in. */
export async function subscriptionChanged(
  { db, d1 }: Store,
  subscription: Subscription,
  eventCreated: number,
): Promise<Effect> {
  const accountId = await resolveAccount(db, subscription.customer, [subscription.metadata?.accountId]);
  if (!accountId) return ignore("unknown_customer");
  const periodEnd = subscriptionPeriodEnd(subscription);
  const endsAt = subscriptionEndsAt(subscription);
  const update = db
    .update(billingAccounts)
    .set({
      subscriptionId: subscription.id,
      subscriptionStatus: subscription.status,
      subscriptionPriceId: subscriptionPrice(subscription),
      currentPeriodEnd: periodEnd ? new Date(periodEnd * 1000) : null,
      cancelAt: endsAt ? new Date(endsAt * 1000) : null,
      subscriptionEventAt: eventCreated,
    })
    .where(
      and(
        eq(billingAccounts.accountId, accountId),
        sql`(${billingAccounts.subscriptionEventAt} IS NULL OR ${billingAccounts.subscriptionEventAt} <= ${eventCreated})`,
        // A canceled subscription stays canceled: ties in `created` must not revive it.
        sql`NOT (coalesce(${billingAccounts.subscriptionId}, '') = ${subscription.id}
                 AND coalesce(${billingAccounts.subscriptionStatus}, '') = 'canceled')`,
        // An old subscription ending must not end the live one that replaced it.
        sql`NOT (${subscription.status} NOT IN ${sql.raw(LIVE)} AND ${billingAccounts.subscriptionId} IS NOT ${subscription.id}
                 AND coalesce(${billingAccounts.subscriptionStatus}, '') IN ${sql.raw(LIVE)})`,
      ),
    );
  return effect(d1, [linkCustomer(db, accountId, subscription.customer), update]);
}

function upsertInvoice(db: Db, accountId: string, invoice: Invoice, eventCreated: number) {
  const row = {
    id: invoice.id,
    accountId,
    number: invoice.number ?? null,
    status: invoice.status ?? "open",
    amountDueCents: invoice.amount_due,
    amountPaidCents: invoice.amount_paid,
    currency: invoice.currency,
    hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
    eventAt: eventCreated,
    createdAt: new Date(eventCreated * 1000),
  };
  return db
    .insert(billingInvoices)
    .values(row)
    .onConflictDoUpdate({
      target: billingInvoices.id,
      set: {
        number: row.number,
        status: row.status,
        amountDueCents: row.amountDueCents,
        amountPaidCents: row.amountPaidCents,
        hostedInvoiceUrl: row.hostedInvoiceUrl,
        eventAt: row.eventAt,
      },
      // Older news never overwrites newer, and a paid invoice stays paid.
      setWhere: sql`${billingInvoices.eventAt} <= ${eventCreated} AND ${billingInvoices.status} != 'paid'`,
    });
}

async function invoiceAccount(db: Db, invoice: Invoice) {
  return resolveAccount(db, invoice.customer, []);
}

/** invoice.paid: keep the invoice reference and grant the plan's monthly credit, once per invoice. */
export async function invoicePaid(
  { db, d1 }: Store,
  config: Config,
  invoice: Invoice,
  eventCreated: number,
): Promise<Effect> {
  const accountId = await invoiceAccount(db, invoice);
  if (!accountId) return ignore("unknown_customer");
  const plan = invoicePrices(invoice)
    .map((price) => planForPrice(config, price))
    .find((p) => p !== undefined);
  const record = upsertInvoice(db, accountId, { ...invoice, status: "paid" }, eventCreated);
  if (!plan) return effect(d1, [record]);
  const grant = appendEntry(db, {
    accountId,
    kind: "grant",
    amountMicros: PLANS[plan].monthlyMicros,
    reason: `${PLANS[plan].name} plan monthly credit`,
    reference: invoice.id,
    paymentRef: invoicePaymentIntent(invoice),
  });
  return effect(d1, [record, grant, rearmLowBalance(db, accountId)], undefined, accountId);
}

/** invoice.payment_failed: keep the invoice with its status; the subscription events carry past_due. */
export async function invoiceFailed(
  { db, d1 }: Store,
  invoice: Invoice,
  eventCreated: number,
): Promise<Effect> {
  const accountId = await invoiceAccount(db, invoice);
  if (!accountId) return ignore("unknown_customer");
  return effect(d1, [upsertInvoice(db, accountId, { ...invoice, status: "payment_failed" }, eventCreated)]);
}
