// Reading message metadata for the dashboard: ids, direction, type, status and times — no content, no numbers.
import { and, desc, eq } from "drizzle-orm";
import { whatsappMessages } from "../../db/schema";
import type { Db } from "../env";

export type MessageView = {
  id: string;
  /** The business number it was sent to or from. */
  phoneNumberId: string | null;
  direction: "in" | "out";
  type: string;
  status: string;
  /** A short, stable label for the conversation (from the keyed hash), so threads can be told apart. */
  contact: string;
  sentAt: string;
  error: string | null;
};

export async function recentMessages(db: Db, accountId: string, limit = 25): Promise<MessageView[]> {
  const rows = await db
    .select()
    .from(whatsappMessages)
    .where(eq(whatsappMessages.accountId, accountId))
    .orderBy(desc(whatsappMessages.createdAt), desc(whatsappMessages.direction))
    .limit(limit);
  return rows.map(view);
}

/** The latest messages that failed (a reply Meta refused or could not deliver), newest first. */
export async function failedMessages(db: Db, accountId: string, limit = 10): Promise<MessageView[]> {
  const rows = await db
    .select()
    .from(whatsappMessages)
    .where(and(eq(whatsappMessages.accountId, accountId), eq(whatsappMessages.status, "failed")))
    .orderBy(desc(whatsappMessages.updatedAt))
    .limit(limit);
  return rows.map(view);
}

function view(r: typeof whatsappMessages.$inferSelect): MessageView {
  return {
    id: r.id,
    phoneNumberId: r.phoneNumberId,
    direction: r.direction,
    type: r.type,
    status: r.status,
    contact: r.contactHash.slice(0, 8),
    sentAt: r.sentAt.toISOString(),
    error: r.error,
  };
}
