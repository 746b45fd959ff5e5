// The billing API's response shapes, declared once: the zod schemas validate and document GET /api/billing,
// and the types the services return are derived from them.
import { z } from "@hono/zod-openapi";
import { ledgerKinds } from "../../db/schema";
import { IsoDate } from "../openapi";
import { PLAN_IDS } from "./plans";

const LedgerEntry = z
  .object({
    id: z.string(),
    kind: z.enum(ledgerKinds),
    amountMicros: z.number().int().openapi({ description: "Micro-dollars; negative for debits" }),
    reason: z.string(),
    reference: z.string(),
    createdAt: IsoDate,
  })
  .openapi("LedgerEntry");

const Invoice = z
  .object({
    id: z.string(),
    number: z.string().nullable(),
    status: z.string(),
    amountDueCents: z.number().int(),
    amountPaidCents: z.number().int(),
    currency: z.string(),
    hostedInvoiceUrl: z.string().nullable(),
    createdAt: IsoDate,
  })
  .openapi("Invoice");

export const Billing = z
  .object({
    plan: z.object({
      id: z.enum(PLAN_IDS),
      name: z.string(),
      monthlyCents: z.number().int(),
      monthlyMicros: z.number().int(),
    }),
    status: z
      .string()
      .nullable()
      .openapi({ description: "Stripe subscription status; null if never subscribed" }),
    currentPeriodEnd: IsoDate.nullable(),
    cancelAt: IsoDate.nullable().openapi({
      description:
        "When a scheduled cancellation ends the subscription (it will not renew); null if it renews",
    }),
    balanceMicros: z
      .number()
      .int()
      .openapi({ description: "Credit balance in micro-dollars (1 USD = 1,000,000)" }),
    lowBalance: z.boolean(),
    hasCustomer: z.boolean(),
    ledger: z.array(LedgerEntry),
    invoices: z.array(Invoice),
  })
  .openapi("Billing");

export type LedgerView = z.infer<typeof LedgerEntry>;
export type BillingOverview = z.infer<typeof Billing>;
