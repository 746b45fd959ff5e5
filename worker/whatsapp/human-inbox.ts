// The inbox where a person takes over: the contacts the AI is paused for, the recent exchange (only when
// content logging is on — otherwise nothing of it was kept), a reply sent through Graph within the 24-hour
// window, and resuming the bot.
import { whatsappMessages } from "../../db/schema";
import { getConfig } from "../config";
import { loggingPolicy } from "../content/capture";
import type { Db } from "../env";
import { AppError, notFound } from "../errors";
import { findConnection } from "./connection";
import { type ContactKey, findContact, pausedContacts, recipientField, resume } from "./contacts";
import { keepTurns, loadContext, type Turn } from "./context";
import { sendText } from "./graph";
import { contactLabel } from "./hand-off";
import { open } from "./sealing";
import { windowClosesAt } from "./window";

export type InboxEntry = {
  phoneNumberId: string;
  contactHash: string;
  label: string;
  pausedAt: string;
  pausedBy: "keyword" | "model" | null;
  lastMessageAt: string | null;
  /** Until when a person may reply (Meta's window), or null when it has closed. */
  replyUntil: string | null;
  /** The recent exchange, oldest first; null when content logging is off (nothing was kept). */
  exchange: Turn[] | null;
};

export async function inboxEntries(
  env: Env,
  db: Db,
  accountId: string,
  now = Date.now(),
): Promise<InboxEntry[]> {
  const logging = (await loggingPolicy(env, accountId)).enabled;
  const rows = await pausedContacts(db, accountId);
  return Promise.all(
    rows.map(async (row) => {
      const key = { accountId, phoneNumberId: row.phoneNumberId, contactHash: row.contactHash };
      const canReply = row.recipientSealed && row.replyUntil && row.replyUntil.getTime() > now;
      return {
        phoneNumberId: row.phoneNumberId,
        contactHash: row.contactHash,
        label: contactLabel(row.contactHash),
        pausedAt: row.pausedAt!.toISOString(),
        pausedBy: row.pausedBy,
        lastMessageAt: row.lastInboundAt?.toISOString() ?? null,
        replyUntil: canReply ? row.replyUntil!.toISOString() : null,
        exchange: logging ? await loadContext(env, db, key, now) : null,
      };
    }),
  );
}

const windowClosed = () =>
  new AppError(409, "The 24-hour window for this customer has closed: only a template can reach them now.", {
    code: "window_closed",
  });

/** A person's reply to a paused contact, sent from the business number within the window. */
export async function replyAsPerson(
  env: Env,
  db: Db,
  key: ContactKey,
  text: string,
  now = Date.now(),
): Promise<void> {
  const contact = await findContact(db, key);
  const connection = await findConnection(db, key.accountId, key.phoneNumberId);
  if (!contact?.pausedAt || !connection) throw notFound("Conversation waiting for a person");
  if (contact.optedOutAt)
    throw new AppError(409, "This customer opted out (STOP): nothing may be sent to them.", {
      code: "contact_opted_out",
    });
  const closesAt = await windowClosesAt(db, key.accountId, key.phoneNumberId, key.contactHash);
  if (!contact.recipientSealed || closesAt === null || closesAt <= now) throw windowClosed();
  const to = await open(env, key.accountId, recipientField(key), contact.recipientSealed);
  const accessToken = await open(env, key.accountId, "access_token", connection.accessTokenSealed);
  const sent = await sendText(getConfig(env), { phoneNumberId: key.phoneNumberId, accessToken, to, text });
  if (!sent.ok) {
    if (sent.windowClosed) throw windowClosed();
    throw new AppError(502, `WhatsApp did not take the reply (${sent.error}). Try again.`, {
      code: "graph_error",
      type: "api_error",
    });
  }
  const at = new Date(now);
  await db.insert(whatsappMessages).values({
    accountId: key.accountId,
    id: sent.messageId,
    phoneNumberId: key.phoneNumberId,
    direction: "out",
    type: "text",
    contactHash: key.contactHash,
    status: "accepted",
    sentAt: at,
    createdAt: at,
    updatedAt: at,
  });
  if ((await loggingPolicy(env, key.accountId)).enabled) {
    await keepTurns(env, db, {
      ...key,
      turns: [{ id: sent.messageId, role: "assistant", text, at: now }],
      expiresAt: closesAt,
    });
  }
}

/** The bot answers this contact again. */
export async function resumeBot(db: Db, key: ContactKey, now = Date.now()): Promise<void> {
  if (!(await resume(db, key, now))) throw notFound("Conversation waiting for a person");
}
