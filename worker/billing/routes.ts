// /api/billing: the account's billing overview, Stripe Checkout (subscription or top-up), the portal.
import { createRoute, z } from "@hono/zod-openapi";
import { sessionRouter } from "../accounts/middleware";
import { errorResponses, jsonBody, jsonContent } from "../openapi";
import { createCheckout, createPortal } from "./checkout";
import { billingOverview } from "./overview";
import { PAID_PLANS, TOPUP_MAX_CENTS, TOPUP_MIN_CENTS } from "./plans";
import { Billing } from "./views";

const Checkout = z
  .discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("subscription"), plan: z.enum(PAID_PLANS) }),
    z.strictObject({
      kind: z.literal("topup"),
      amountCents: z
        .number()
        .int()
        .min(TOPUP_MIN_CENTS, `The smallest top-up is ${TOPUP_MIN_CENTS} cents.`)
        .max(TOPUP_MAX_CENTS, `The largest top-up is ${TOPUP_MAX_CENTS} cents.`),
    }),
  ])
  .openapi("CheckoutRequest");

const RedirectUrl = z.object({
  url: z.string().openapi({ description: "Stripe-hosted page to send the user to" }),
});

export const billingRoutes = sessionRouter();
billingRoutes
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["Billing"],
      summary: "Plan, subscription status, balance, recent ledger entries and invoices",
      responses: { 200: jsonContent(Billing, "Your billing"), ...errorResponses(401) },
    }),
    async (c) => c.json(await billingOverview(c.env, c.var.session.accountId), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/checkout",
      tags: ["Billing"],
      summary: "Start Stripe Checkout for a subscription or a prepaid top-up",
      request: jsonBody(Checkout),
      responses: {
        200: jsonContent(RedirectUrl, "The Checkout page"),
        ...errorResponses(400, 401, 409, 413, 415, 502),
      },
    }),
    async (c) => {
      const origin = new URL(c.req.url).origin;
      const result = await createCheckout(
        c.var.db,
        c.var.config,
        c.var.session.accountId,
        c.req.valid("json"),
        origin,
      );
      return c.json(result, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/portal",
      tags: ["Billing"],
      summary: "Open the Stripe customer portal (invoices, payment method, plan changes)",
      responses: { 200: jsonContent(RedirectUrl, "The portal page"), ...errorResponses(401, 502) },
    }),
    async (c) => {
      const origin = new URL(c.req.url).origin;
      return c.json(await createPortal(c.var.db, c.var.config, c.var.session.accountId, origin), 200);
    },
  );
