// The outbound row of a message Graph accepted — a reply, one part of a split one, or the fallback template sent
// once the window has closed — recorded once per id and related to the inbound message it answers.
import { whatsappMessages } from "../../db/schema";
import type { Db } from "../env";

type Message = typeof whatsappMessages.$inferSelect;

/** What was sent: a text, or a template (its name and language, as the dashboard shows it). */
export type SentKind = { type: "text" } | { type: "template"; template: string };

export function sentRow(
  db: Db,
  message: Message,
  phoneNumberId: string,
  id: string,
  at: Date,
  kind: SentKind,
) {
  return db
    .insert(whatsappMessages)
    .values({
      accountId: message.accountId,
      id,
      phoneNumberId,
      direction: "out",
      ...kind,
      contactHash: message.contactHash,
      status: "accepted",
      sentAt: at,
      createdAt: at,
      updatedAt: at,
      relatedId: message.id,
    })
    .onConflictDoNothing();
}
