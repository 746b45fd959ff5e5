// After the 24-hour window (ADR 065): instead of a free-form reply, which Meta refuses (131047), the number's
// chosen fallback template goes, with its parameters filled. Without an approved fallback nothing is sent and
// the message is marked expired, as before.
import { and, eq } from "drizzle-orm";
import { type whatsappConnections, whatsappMessages, whatsappPending } from "../../db/schema";
import { getConfig } from "../config";
import type { Db } from "../env";
import type { SendResult } from "./graph";
import { open } from "./sealing";
import { sentRow } from "./sent-row";
import { sendTemplate } from "./template-graph";
import { resolveFallback } from "./templates";

type Message = typeof whatsappMessages.$inferSelect;
type Connection = typeof whatsappConnections.$inferSelect;
type Pending = typeof whatsappPending.$inferSelect;

export type FallbackResult =
  | { kind: "none" }
  | { kind: "sent"; messageId: string }
  | { kind: "failed"; result: Extract<SendResult, { ok: false }> };

/** Sends the fallback template to the contact and, when Graph accepts it, records it and settles the message. */
export async function sendFallback(
  env: Env,
  db: Db,
  input: {
    connection: Connection;
    message: Message;
    pending: Pending;
    to: string;
    reason: string;
    now: number;
  },
): Promise<FallbackResult> {
  const { connection, message, pending, now } = input;
  const profileName = pending.profileNameSealed
    ? await open(env, message.accountId, `pending.profile|${message.id}`, pending.profileNameSealed)
    : null;
  const template = await resolveFallback(db, connection, profileName);
  if (!template) return { kind: "none" };
  const accessToken = await open(env, message.accountId, "access_token", connection.accessTokenSealed);
  const sent = await sendTemplate(getConfig(env), {
    phoneNumberId: connection.phoneNumberId,
    accessToken,
    to: input.to,
    ...template,
  });
  if (!sent.ok) return { kind: "failed", result: sent };
  const at = new Date(now);
  await db.batch([
    sentRow(db, message, connection.phoneNumberId, sent.messageId, at, {
      type: "template",
      template: `${template.name} (${template.language})`,
    }),
    db
      .update(whatsappMessages)
      .set({
        status: "expired",
        relatedId: sent.messageId,
        error: `${input.reason}; fallback template ${template.name} sent`,
        leaseUntil: null,
        nextAttemptAt: null,
        updatedAt: at,
      })
      .where(and(eq(whatsappMessages.accountId, message.accountId), eq(whatsappMessages.id, message.id))),
    db
      .delete(whatsappPending)
      .where(
        and(eq(whatsappPending.accountId, message.accountId), eq(whatsappPending.messageId, message.id)),
      ),
  ]);
  return { kind: "sent", messageId: sent.messageId };
}
