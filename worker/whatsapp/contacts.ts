// A contact's standing with one business number: opted out (STOP … START) and paused for a person (hand-off
// … resume). Keyed by the contact's keyed hash; the number is kept sealed only while a person may still reply
// to it (the 24-hour window), so the inbox can answer without the number ever being stored in clear.
import { and, desc, eq, isNotNull, isNull, lte } from "drizzle-orm";
import { whatsappContacts } from "../../db/schema";
import type { Db } from "../env";
import { seal } from "./sealing";
import { WINDOW_MS } from "./window";

export type ContactRow = typeof whatsappContacts.$inferSelect;
export type ContactKey = { accountId: string; phoneNumberId: string; contactHash: string };

const keyIs = (key: ContactKey) =>
  and(
    eq(whatsappContacts.accountId, key.accountId),
    eq(whatsappContacts.phoneNumberId, key.phoneNumberId),
    eq(whatsappContacts.contactHash, key.contactHash),
  );

/** The sealed field the contact's number is kept under while a person may reply. */
export const recipientField = (key: ContactKey) =>
  `contact.recipient|${key.phoneNumberId}|${key.contactHash}`;

export async function findContact(db: Db, key: ContactKey): Promise<ContactRow | undefined> {
  return db.query.whatsappContacts.findFirst({ where: keyIs(key) });
}

/** Makes sure the row exists (no state yet), so the conditional updates below have something to change. */
async function ensureContact(db: Db, key: ContactKey, now: number): Promise<void> {
  await db
    .insert(whatsappContacts)
    .values({ ...key, updatedAt: new Date(now) })
    .onConflictDoNothing();
}

/** STOP: true when this call opted the contact out (so the confirmation goes once), false if already out. */
export async function optOut(db: Db, key: ContactKey, now: number): Promise<boolean> {
  await ensureContact(db, key, now);
  const changed = await db
    .update(whatsappContacts)
    .set({ optedOutAt: new Date(now), updatedAt: new Date(now) })
    .where(and(keyIs(key), isNull(whatsappContacts.optedOutAt)))
    .returning({ at: whatsappContacts.optedOutAt });
  return changed.length === 1;
}

/** START: true when the contact was opted out and is now back in. */
export async function optIn(db: Db, key: ContactKey, now: number): Promise<boolean> {
  const changed = await db
    .update(whatsappContacts)
    .set({ optedOutAt: null, updatedAt: new Date(now) })
    .where(and(keyIs(key), isNotNull(whatsappContacts.optedOutAt)))
    .returning({ at: whatsappContacts.updatedAt });
  return changed.length === 1;
}

/**
 * Remembers a paused contact's latest message: the number (sealed) so a person can reply, and until when
 * Meta lets anyone reply to it.
 */
export async function noteWhilePaused(
  env: Env,
  db: Db,
  key: ContactKey,
  input: { recipient: string; sentAt: number; now: number },
): Promise<void> {
  const recipientSealed = await seal(env, key.accountId, recipientField(key), input.recipient);
  await db
    .update(whatsappContacts)
    .set({
      recipientSealed,
      lastInboundAt: new Date(input.sentAt),
      replyUntil: new Date(input.sentAt + WINDOW_MS),
      updatedAt: new Date(input.now),
    })
    .where(keyIs(key));
}

/** Hand-off: true when this call paused the bot for the contact (so the business is told once). */
export async function pause(
  env: Env,
  db: Db,
  key: ContactKey,
  input: { by: "keyword" | "model"; recipient: string; sentAt: number; now: number },
): Promise<boolean> {
  await ensureContact(db, key, input.now);
  const changed = await db
    .update(whatsappContacts)
    .set({ pausedAt: new Date(input.now), pausedBy: input.by, updatedAt: new Date(input.now) })
    .where(and(keyIs(key), isNull(whatsappContacts.pausedAt)))
    .returning({ at: whatsappContacts.pausedAt });
  await noteWhilePaused(env, db, key, input);
  return changed.length === 1;
}

/** A person hands the conversation back to the bot: the pause and the kept number go. */
export async function resume(db: Db, key: ContactKey, now: number): Promise<boolean> {
  const changed = await db
    .update(whatsappContacts)
    .set({
      pausedAt: null,
      pausedBy: null,
      recipientSealed: null,
      lastInboundAt: null,
      replyUntil: null,
      updatedAt: new Date(now),
    })
    .where(and(keyIs(key), isNotNull(whatsappContacts.pausedAt)))
    .returning({ at: whatsappContacts.updatedAt });
  return changed.length === 1;
}

/** The account's contacts waiting for a person, newest first. */
export async function pausedContacts(db: Db, accountId: string): Promise<ContactRow[]> {
  return db
    .select()
    .from(whatsappContacts)
    .where(and(eq(whatsappContacts.accountId, accountId), isNotNull(whatsappContacts.pausedAt)))
    .orderBy(desc(whatsappContacts.pausedAt))
    .limit(100);
}

/** The cron's part: once nobody may reply any more, the sealed number goes (the pause itself stays). */
export async function forgetClosedWindows(db: Db, now: number): Promise<void> {
  await db
    .update(whatsappContacts)
    .set({ recipientSealed: null })
    .where(and(isNotNull(whatsappContacts.recipientSealed), lte(whatsappContacts.replyUntil, new Date(now))));
}

/**
 * A number is disconnected: pauses and kept numbers go; opt-outs stay (a contact who said STOP must not be
 * messaged again if the number is reconnected).
 */
export function forgetNumberContacts(db: Db, accountId: string, phoneNumberId: string) {
  const ofNumber = and(
    eq(whatsappContacts.accountId, accountId),
    eq(whatsappContacts.phoneNumberId, phoneNumberId),
  );
  return [
    db.delete(whatsappContacts).where(and(ofNumber, isNull(whatsappContacts.optedOutAt))),
    db
      .update(whatsappContacts)
      .set({ pausedAt: null, pausedBy: null, recipientSealed: null, replyUntil: null, lastInboundAt: null })
      .where(ofNumber),
  ] as const;
}
