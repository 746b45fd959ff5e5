// The conversations of a number whose 24-hour window closed before a reply went, and what was sent instead (the
// fallback template: its name, when, how far it got) — metadata only, for the dashboard and the API.
import { and, desc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { whatsappMessages } from "../../db/schema";
import type { Db } from "../env";
import type { ExpiredView } from "./template-views";

export async function expiredConversations(
  db: Db,
  accountId: string,
  phoneNumberId: string,
  limit = 25,
): Promise<ExpiredView[]> {
  const sent = alias(whatsappMessages, "sent");
  const rows = await db
    .select({ inbound: whatsappMessages, sent })
    .from(whatsappMessages)
    .leftJoin(
      sent,
      and(
        eq(sent.accountId, whatsappMessages.accountId),
        eq(sent.id, whatsappMessages.relatedId),
        eq(sent.direction, "out"),
      ),
    )
    .where(
      and(
        eq(whatsappMessages.accountId, accountId),
        eq(whatsappMessages.phoneNumberId, phoneNumberId),
        eq(whatsappMessages.direction, "in"),
        eq(whatsappMessages.status, "expired"),
      ),
    )
    .orderBy(desc(whatsappMessages.updatedAt))
    .limit(limit);
  return rows.map(({ inbound, sent }) => ({
    messageId: inbound.id,
    contact: inbound.contactHash.slice(0, 8),
    receivedAt: inbound.sentAt.toISOString(),
    expiredAt: inbound.updatedAt.toISOString(),
    reason: inbound.error,
    template: sent?.template ?? null,
    templateSentAt: sent ? sent.sentAt.toISOString() : null,
    deliveryStatus: sent?.status ?? null,
  }));
}
