// Billing: each account's plan and Stripe link, the append-only credit ledger, invoices,
// and the ids of Stripe events already applied. Amounts are integer micro-dollars (1 USD = 1,000,000).
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { accounts } from "./accounts";

export const billingAccounts = sqliteTable("billing_accounts", {
  accountId: text("account_id")
    .primaryKey()
    .references(() => accounts.id, { onDelete: "cascade" }),
  stripeCustomerId: text("stripe_customer_id").unique(),
  subscriptionId: text("subscription_id"),
  /** Stripe's subscription status as last applied (active, past_due, canceled, …); null = never subscribed. */
  subscriptionStatus: text("subscription_status"),
  subscriptionPriceId: text("subscription_price_id"),
  currentPeriodEnd: integer("current_period_end", { mode: "timestamp_ms" }),
  /** When a scheduled cancellation ends the subscription (Stripe's cancel_at_period_end or cancel_at); null = it renews. */
  cancelAt: integer("cancel_at", { mode: "timestamp_ms" }),
  /** `created` (seconds) of the subscription event last applied: older events never overwrite newer ones. */
  subscriptionEventAt: integer("subscription_event_at"),
  /** Sum of this account's ledger, kept by a trigger on credit_ledger; recomputable from the ledger. */
  balanceMicros: integer("balance_micros").notNull().default(0),
  /** Set when the balance fell below the low-balance threshold and the notice went out; cleared on top-up. */
  lowBalanceNotifiedAt: integer("low_balance_notified_at", { mode: "timestamp_ms" }),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

export const ledgerKinds = ["trial", "grant", "topup", "usage", "refund", "reversal", "adjustment"] as const;
export type LedgerKind = (typeof ledgerKinds)[number];

export const creditLedger = sqliteTable(
  "credit_ledger",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ledgerKinds }).notNull(),
    /** Positive credits, negative debits. */
    amountMicros: integer("amount_micros").notNull(),
    reason: text("reason").notNull(),
    /**
     * What caused the entry (Stripe object id; `usage:<hour start ms>` for an hour's usage, which grows in place
     * — ADR 040; a usage row id in entries written before migration 0017): one entry per kind and reference.
     */
    reference: text("reference").notNull(),
    /** The Stripe payment intent that paid for a credit, so refunds and disputes can find it. */
    paymentRef: text("payment_ref"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    uniqueIndex("credit_ledger_reference_idx").on(t.accountId, t.kind, t.reference),
    index("credit_ledger_account_time_idx").on(t.accountId, t.createdAt),
    index("credit_ledger_payment_idx").on(t.paymentRef),
  ],
);

/**
 * Flushes of buffered usage debits already applied to the ledger (ADR 040): the account object names each
 * flush before sending it, so one retried after its answer was lost applies nothing twice. The ids are random
 * and linked to no account; they are kept a day.
 */
export const creditFlushes = sqliteTable(
  "credit_flushes",
  {
    id: text("id").primaryKey(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("credit_flushes_time_idx").on(t.createdAt)],
);

export const billingInvoices = sqliteTable(
  "billing_invoices",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    number: text("number"),
    status: text("status").notNull(),
    amountDueCents: integer("amount_due_cents").notNull(),
    amountPaidCents: integer("amount_paid_cents").notNull(),
    currency: text("currency").notNull(),
    hostedInvoiceUrl: text("hosted_invoice_url"),
    /** `created` (seconds) of the event last applied to this row. */
    eventAt: integer("event_at").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("billing_invoices_account_idx").on(t.accountId, t.createdAt)],
);

/** Stripe events already applied, recorded in the same D1 batch as their effect. No account link kept. */
export const stripeEvents = sqliteTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  created: integer("created").notNull(),
  receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
});

/**
 * What Stripe has said about each paid payment's reversals, whatever order its events came in (ADR 041): the
 * charge's amount, the cumulative refunded amount (the largest seen) and the dispute's state (a closed dispute is
 * never reopened by an older event). The ledger's refund and reversal entries of the payment are brought to what
 * these facts imply after every event, so every order of one payment's events ends in the same balance. Keyed by
 * the payment intent alone: the account is found through the payment's top-up in the ledger.
 */
export const stripePayments = sqliteTable("stripe_payments", {
  paymentIntent: text("payment_intent").primaryKey(),
  /** Cents charged (null until a charge event said). */
  chargeAmount: integer("charge_amount"),
  /** Cumulative cents refunded, the largest any charge.refunded reported. */
  refunded: integer("refunded").notNull().default(0),
  /** null (no dispute), open (funds withdrawn or about to be), won (reinstated), lost. */
  dispute: text("dispute", { enum: ["open", "won", "lost"] }),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});
