// Telling the business that a contact waits for a person: a notice by mail (through the outbox, so it is sent
// even when the mail service is briefly down) and, if the number has one, a signed webhook. Neither carries
// what the contact wrote or their number — only which number, a short conversation label and why.
import { eq } from "drizzle-orm";
import { accounts, whatsappConnections } from "../../db/schema";
import { getConfig } from "../config";
import type { Db } from "../env";
import { sendNotice } from "../notices/send";
import { log } from "../observability/log";
import type { ContactKey } from "./contacts";
import { postWebhook } from "./hand-off-webhook";
import { open } from "./sealing";

const INBOX_PATH = "/dashboard/whatsapp/inbox";

/** The short label the dashboard shows for a conversation (the start of the contact's keyed hash). */
export const contactLabel = (contactHash: string) => contactHash.slice(0, 8);

type Connection = typeof whatsappConnections.$inferSelect;

export async function announceHandOff(
  env: Env,
  db: Db,
  input: { connection: Connection; key: ContactKey; by: "keyword" | "model"; now: number },
): Promise<void> {
  const { connection, key, by, now } = input;
  const label = contactLabel(key.contactHash);
  const why = by === "keyword" ? "asked for a person" : "was handed to a person by the assistant";
  const [account] = await db
    .select({ email: accounts.email })
    .from(accounts)
    .where(eq(accounts.id, key.accountId));
  if (account) {
    await sendNotice(env, {
      to: account.email,
      kind: "whatsapp_hand_off",
      accountId: key.accountId,
      // The same hand-off announced twice (a retried answer) is mailed once.
      key: `whatsapp-hand-off:${key.phoneNumberId}:${key.contactHash}:${now}`,
      subject: "A WhatsApp customer is waiting for a person",
      text: [
        `Conversation ${label} on your WhatsApp number ${connection.phoneNumberId} ${why}.`,
        "The assistant no longer answers this customer until you resume it.",
        `Read the conversation (when content logging is on), reply and resume the assistant in your dashboard: ${INBOX_PATH}`,
        "You can reply for 24 hours after the customer's latest message.",
      ].join("\n"),
    });
  }
  if (!connection.handOffWebhookUrl || !connection.handOffWebhookSecretSealed) return;
  const secret = await open(
    env,
    key.accountId,
    "hand_off_webhook_secret",
    connection.handOffWebhookSecretSealed,
  );
  const failed = await postWebhook(getConfig(env), {
    url: connection.handOffWebhookUrl,
    secret,
    now,
    payload: {
      type: "whatsapp.hand_off",
      phoneNumberId: connection.phoneNumberId,
      conversation: label,
      reason: by,
      at: new Date(now).toISOString(),
      inboxPath: INBOX_PATH,
    },
  });
  if (failed) {
    log.warn("whatsapp: hand-off webhook not delivered", { reason: failed });
    await db
      .update(whatsappConnections)
      .set({ lastError: failed, lastErrorAt: new Date(now) })
      .where(eq(whatsappConnections.phoneNumberId, connection.phoneNumberId));
  }
}
