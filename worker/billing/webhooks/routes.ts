// POST /webhooks/stripe: the raw body is verified against Stripe-Signature (HMAC-SHA256, timestamp within
// ±300 s) before anything is parsed; a refused delivery (400) changes nothing, and every signed,
// well-formed event answers 200 saying what happened to it: applied, duplicate or ignored (and why).
import { createRoute, z } from "@hono/zod-openapi";
import Stripe from "stripe";
import { bodyLimit } from "../../body-limit";
import { AppError, badRequest } from "../../errors";
import { createRouter, errorResponses, jsonContent } from "../../openapi";
import { billingUnavailable } from "../stripe-client";
import { applyEvent } from "./apply";
import { IGNORED_REASONS } from "./effect";

/** Stripe events are a few KB; anything near this is not from Stripe. */
const WEBHOOK_BODY_LIMIT = 512 * 1024;

/** Stripe's default tolerance, applied both ways: a timestamp too far in the future is refused too. */
const TOLERANCE_S = 300;

const cryptoProvider = Stripe.createSubtleCryptoProvider();

const invalidSignature = () =>
  badRequest("Invalid Stripe signature.", "Stripe-Signature", "invalid_signature");

/** The envelope every Stripe event has; the object inside is parsed per type by the handler. */
const EventEnvelope = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  created: z.number().int(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

/** The signed timestamps of the header (`t=`); Stripe's library only refuses old ones. */
function signedAt(signature: string): number[] {
  return signature
    .split(",")
    .map((part) => part.trim().split("="))
    .filter(([k]) => k === "t")
    .map(([, v]) => Number(v));
}

async function verify(raw: string, signature: string, secret: string): Promise<Stripe.Event> {
  let event: Stripe.Event;
  try {
    event = await Stripe.webhooks.constructEventAsync(raw, signature, secret, TOLERANCE_S, cryptoProvider);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) throw invalidSignature();
    // A correctly signed body that is not JSON.
    throw badRequest("Malformed event body.", undefined, "invalid_event");
  }
  const now = Date.now() / 1000;
  if (signedAt(signature).some((t) => !Number.isFinite(t) || t > now + TOLERANCE_S)) throw invalidSignature();
  if (!EventEnvelope.safeParse(event).success) {
    throw badRequest("Malformed event body.", undefined, "invalid_event");
  }
  return event;
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
        z.object({
          received: z.literal(true),
          outcome: z.enum(["applied", "duplicate", "ignored"]),
          reason: z.enum(IGNORED_REASONS).optional(),
        }),
        "Recorded: applied now, applied (or ignored) before, or ignored — a type billing does not handle, or an account, customer or payment that is not ours",
      ),
      ...errorResponses(400, 413, 503),
    },
  }),
  async (c) => {
    const secret = c.var.config.stripe.webhookSecret;
    if (!secret) throw billingUnavailable();
    const signature = c.req.header("stripe-signature");
    if (!signature)
      throw badRequest("Missing Stripe-Signature header.", "Stripe-Signature", "invalid_signature");
    const event = await verify(await c.req.text(), signature, secret);
    const result = await applyEvent(c.env, c.var.db, c.var.config, event);
    return c.json({ received: true as const, ...result }, 200);
  },
);
