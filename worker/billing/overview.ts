// What an account's billing looks like right now: plan, subscription status, balance, ledger, invoices.
// GET /api/billing and the dashboard page both read this.
import { desc, eq } from "drizzle-orm";
import { billingAccounts, billingInvoices } from "../../db/schema";
import { getConfig } from "../config";
import { getDb } from "../db";
import { flushCredits } from "./credits";
import { ensureBillingAccount, recentEntries } from "./ledger";
import { effectivePlan, LOW_BALANCE_MICROS, PLANS } from "./plans";
import type { BillingOverview } from "./views";

const LEDGER_SHOWN = 50;
const INVOICES_SHOWN = 24;

export async function billingOverview(env: Env, accountId: string): Promise<BillingOverview> {
  const db = getDb(env.DB);
  const config = getConfig(env);
  await ensureBillingAccount(db, accountId);
  // Debits still buffered in the account's Durable Object belong in what is shown.
  await flushCredits(env, accountId);
  const [[row], ledger, invoices] = await Promise.all([
    db.select().from(billingAccounts).where(eq(billingAccounts.accountId, accountId)),
    recentEntries(db, accountId, LEDGER_SHOWN),
    db
      .select()
      .from(billingInvoices)
      .where(eq(billingInvoices.accountId, accountId))
      .orderBy(desc(billingInvoices.createdAt))
      .limit(INVOICES_SHOWN),
  ]);
  const planId = effectivePlan(config, {
    status: row?.subscriptionStatus ?? null,
    priceId: row?.subscriptionPriceId ?? null,
  });
  const plan = PLANS[planId];
  const balanceMicros = row?.balanceMicros ?? 0;
  return {
    plan: {
      id: plan.id,
      name: plan.name,
      monthlyCents: plan.monthlyCents,
      monthlyMicros: plan.monthlyMicros,
    },
    status: row?.subscriptionStatus ?? null,
    currentPeriodEnd: row?.currentPeriodEnd?.toISOString() ?? null,
    cancelAt: row?.cancelAt?.toISOString() ?? null,
    balanceMicros,
    lowBalance: balanceMicros < LOW_BALANCE_MICROS,
    hasCustomer: Boolean(row?.stripeCustomerId),
    ledger,
    invoices: invoices.map((i) => ({
      id: i.id,
      number: i.number,
      status: i.status,
      amountDueCents: i.amountDueCents,
      amountPaidCents: i.amountPaidCents,
      currency: i.currency,
      hostedInvoiceUrl: i.hostedInvoiceUrl,
      createdAt: i.createdAt.toISOString(),
    })),
  };
}
