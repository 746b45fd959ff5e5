// POST /webhooks/stripe: the raw body is verified against Stripe-Signature (HMAC-SHA256, 300 s tolerance)
// before anything is parsed; a refused delivery changes nothing.
import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import Stripe from "stripe";
import { AppError, badRequest } from "../../errors";
import { createRouter, errorResponses, jsonContent } from "../../openapi";
import { billingUnavailable } from "../stripe-client";
import { applyEvent } from "./apply";

/** Stripe events are a few KB; anything near this is not from Stripe. */
const WEBHOOK_BODY_LIMIT = 512 * 1024;

const cryptoProvider = Stripe.createSubtleCryptoProvider();

async function verify(raw: string, signature: string, secret: string): Promise<Stripe.Event> {
  try {
    return await Stripe.webhooks.constructEventAsync(raw, signature, secret, undefined, cryptoProvider);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      throw badRequest("Invalid Stripe signature.", "Stripe-Signature", "invalid_signature");
    }
    // A correctly signed body that is not JSON.
    throw badRequest("Malformed event body.", undefined, "invalid_event");
  }
}

export const stripeWebhookRoutes = createRouter();
stripeWebhookRoutes.use(
  "*",
  bodyLimit({
    maxSize: WEBHOOK_BODY_LIMIT,
    onError: () => {
      throw new AppError(413, "Request body is too large.", { code: "body_too_large" });
    },
  }),
);
stripeWebhookRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["Webhooks"],
    summary: "Stripe events (signed); each is applied exactly once, in any order",
    request: {
      headers: z.object({ "stripe-signature": z.string().optional().openapi({ example: "t=…,v1=…" }) }),
    },
    responses: {
      200: jsonContent(
        z.object({ received: z.literal(true), outcome: z.enum(["applied", "duplicate", "ignored"]) }),
        "Accepted (applied now, applied before, or a type billing ignores)",
      ),
      ...errorResponses(400, 413),
    },
  }),
  async (c) => {
    const secret = c.var.config.stripe.webhookSecret;
    if (!secret) throw billingUnavailable();
    const signature = c.req.header("stripe-signature");
    if (!signature)
      throw badRequest("Missing Stripe-Signature header.", "Stripe-Signature", "invalid_signature");
    const event = await verify(await c.req.text(), signature, secret);
    const outcome = await applyEvent(c.env, c.var.db, c.var.config, event);
    return c.json({ received: true as const, outcome }, 200);
  },
);
