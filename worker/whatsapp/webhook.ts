// /webhooks/whatsapp: Meta's verify handshake (GET) and signed notifications (POST), acknowledged at once
// with what happened (applied, duplicate, or ignored and why); answering happens after the response, from
// what was durably recorded.
import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "../body-limit";
import { AppError, forbidden } from "../errors";
import { log } from "../observability/log";
import { createRouter, errorResponses, jsonContent } from "../openapi";
import { verifyTokenKnown } from "./connection";
import { acceptNotification } from "./inbox";
import { handIn } from "./number-object/hand-in";
import { resyncNumbers } from "./templates";

/** Meta sends at most 3 MB per notification. */
const WEBHOOK_BODY_LIMIT = 3 * 1024 * 1024 + 64 * 1024;

export const whatsappWebhook = createRouter();
whatsappWebhook.use(
  "*",
  bodyLimit({
    maxSize: WEBHOOK_BODY_LIMIT,
    onError: () => {
      throw new AppError(413, "Request body is too large.", { code: "body_too_large" });
    },
  }),
);

whatsappWebhook
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["Webhooks"],
      summary: "Meta's verify handshake: echoes hub.challenge when hub.verify_token is a connected account's",
      request: {
        query: z.object({
          "hub.mode": z.string().max(32).optional(),
          "hub.verify_token": z.string().max(1024).optional(),
          "hub.challenge": z.string().max(256).optional(),
        }),
      },
      responses: {
        200: { content: { "text/plain": { schema: z.string() } }, description: "The challenge, as sent" },
        ...errorResponses(400, 403),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const token = query["hub.verify_token"];
      const challenge = query["hub.challenge"];
      if (query["hub.mode"] !== "subscribe" || !token || !challenge) {
        throw forbidden("Verification refused.", "verification_failed");
      }
      if (!(await verifyTokenKnown(c.env, c.var.db, token))) {
        throw forbidden("Verification refused.", "verification_failed");
      }
      return c.text(challenge, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["Webhooks"],
      summary: "WhatsApp Cloud API notifications, signed with X-Hub-Signature-256",
      request: { headers: z.object({ "x-hub-signature-256": z.string().max(200).optional() }) },
      responses: {
        200: jsonContent(
          z.object({
            received: z.literal(true),
            outcome: z.enum(["applied", "duplicate", "ignored"]),
            reason: z.enum(["nothing_to_apply"]).optional(),
          }),
          "Recorded now, recorded before, or nothing new to apply",
        ),
        ...errorResponses(400, 401, 413, 503),
      },
    }),
    async (c) => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      const now = Date.now();
      const { refs, outcome, reason, resync } = await acceptNotification(
        c.env,
        c.var.db,
        raw,
        c.req.header("x-hub-signature-256"),
        now,
      );
      if (refs.length > 0) {
        // The number's object answers after the contact's quiet period; if this hand-in is lost, the messages
        // are still pending in D1 and the cron hands them in.
        const ctx = c.executionCtx as ExecutionContext;
        const work = handIn(c.env, refs, now).catch((error) => {
          log.error("whatsapp: handing messages to the number's object failed", { error });
        });
        ctx.waitUntil(work);
      }
      if (resync) {
        // A template changed status at Meta: each number's list is read again after the response.
        const ctx = c.executionCtx as ExecutionContext;
        ctx.waitUntil(
          resyncNumbers(c.env, c.var.db, c.var.config, resync).catch((error) => {
            log.error("whatsapp: template sync stopped", { error });
          }),
        );
      }
      return c.json({ received: true as const, outcome, ...(reason ? { reason } : {}) }, 200);
    },
  );
