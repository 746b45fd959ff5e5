// A burst from one contact — "Hi", "I ordered yesterday", "where is it?" typed as three messages — is answered
// once: the number's Durable Object waits for a quiet period, then the burst's messages are folded into one turn
// (their words in order, one reply). The latest message carries the turn; the others are settled as `merged`
// with `related_id` naming it, and their sealed pieces go. Opt-out and hand-off keywords are never folded (the
// gate must see them whole) and take effect first, so "…, STOP" sends nothing to the model.
import { and, eq, inArray, sql } from "drizzle-orm";
import { whatsappMessages, whatsappPending } from "../../db/schema";
import type { Db } from "../env";
import { findConnection } from "./connection";
import { keywordOf, keywordsOf } from "./keywords";
import { open, seal } from "./sealing";

/**
 * How long a contact must stay quiet before their messages are answered: long enough for a few quick
 * messages typed one after another, short enough that a single question is not kept waiting.
 */
export const QUIET_MS = 3_000;
/** A contact who never stops typing is still answered this long after their first unanswered message. */
export const MAX_HOLD_MS = 20_000;

type Piece = {
  id: string;
  text: string | null;
  media: string | null;
  quotedId: string | null;
  keyword: ReturnType<typeof keywordOf>;
};

/**
 * The turns to answer, in order (each a message id that carries it), for one contact's unanswered messages
 * given oldest first. Messages already attempted (a reply made, a retry waiting) are never folded: each is its
 * own turn, first. Folding writes the carrier's sealed text (and media, quoted id) and settles the others.
 */
export async function planTurns(
  env: Env,
  db: Db,
  input: {
    accountId: string;
    phoneNumberId: string;
    messageIds: string[];
    now: number;
    /** An earlier message of the contact still waits: only STOP and hand-off keywords go now, unfolded. */
    urgentOnly?: boolean;
  },
): Promise<string[]> {
  const { accountId, messageIds, now } = input;
  if (messageIds.length < 2 && !input.urgentOnly) return messageIds;
  const rows = await db
    .select({
      id: whatsappMessages.id,
      status: whatsappMessages.status,
      attempts: whatsappMessages.attempts,
      body: whatsappPending.bodySealed,
      media: whatsappPending.mediaSealed,
      reply: whatsappPending.replySealed,
      quotedId: whatsappPending.quotedId,
      pending: whatsappPending.messageId,
    })
    .from(whatsappMessages)
    .leftJoin(
      whatsappPending,
      and(
        eq(whatsappPending.accountId, whatsappMessages.accountId),
        eq(whatsappPending.messageId, whatsappMessages.id),
      ),
    )
    .where(and(eq(whatsappMessages.accountId, accountId), inArray(whatsappMessages.id, messageIds)));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const connection = await findConnection(db, accountId, input.phoneNumberId);
  if (!connection) return input.urgentOnly ? [] : messageIds; // answering settles them as "disconnected"
  const keywords = keywordsOf(connection);

  const attempted: string[] = [];
  const fresh: Piece[] = [];
  for (const id of messageIds) {
    const row = byId.get(id);
    if (!row) continue;
    if (row.status !== "pending" || row.attempts > 0 || row.reply !== null || row.pending === null) {
      attempted.push(id);
      continue;
    }
    const text = row.body ? await open(env, accountId, `pending.body|${id}`, row.body) : null;
    const media = row.media ? await open(env, accountId, `pending.media|${id}`, row.media) : null;
    fresh.push({ id, text, media, quotedId: row.quotedId ?? null, keyword: keywordOf(text, keywords) });
  }

  // STOP and "a person, please" first; then the rest in order, consecutive messages folded into one turn
  // (a keyword such as START stands alone; a second image or document starts a new turn — one attachment each).
  const urgent = fresh.filter((p) => p.keyword === "stop" || p.keyword === "hand_off");
  if (input.urgentOnly) return urgent.map((p) => p.id);
  const groups: Piece[][] = urgent.map((p) => [p]);
  let group: Piece[] = [];
  for (const piece of fresh) {
    if (urgent.includes(piece)) continue;
    if (piece.keyword !== null) {
      if (group.length) groups.push(group);
      groups.push([piece]);
      group = [];
      continue;
    }
    if (piece.media !== null && group.some((p) => p.media !== null)) {
      groups.push(group);
      group = [];
    }
    group.push(piece);
  }
  if (group.length) groups.push(group);

  const turns = [...attempted];
  for (const members of groups) {
    turns.push(await fold(env, db, accountId, members, now));
  }
  return turns;
}

/** Folds a group into its latest message; returns that message's id. */
async function fold(env: Env, db: Db, accountId: string, members: Piece[], now: number): Promise<string> {
  const carrier = members.at(-1)!;
  if (members.length === 1) return carrier.id;
  const folded = members.slice(0, -1).map((m) => m.id);
  const texts = members.map((m) => m.text).filter((t): t is string => t !== null && t.trim() !== "");
  const media = members.find((m) => m.media !== null)?.media ?? null;
  const quotedId = members.find((m) => m.quotedId !== null)?.quotedId ?? null;
  const bodySealed = texts.length
    ? await seal(env, accountId, `pending.body|${carrier.id}`, texts.join("\n"))
    : null;
  const mediaSealed = media ? await seal(env, accountId, `pending.media|${carrier.id}`, media) : null;
  const at = new Date(now);
  await db.batch([
    db
      .update(whatsappPending)
      .set({ bodySealed, mediaSealed, quotedId })
      .where(and(eq(whatsappPending.accountId, accountId), eq(whatsappPending.messageId, carrier.id))),
    db
      .update(whatsappMessages)
      .set({ status: "merged", relatedId: carrier.id, nextAttemptAt: null, leaseUntil: null, updatedAt: at })
      .where(
        and(
          eq(whatsappMessages.accountId, accountId),
          inArray(whatsappMessages.id, folded),
          eq(whatsappMessages.status, "pending"),
          sql`${whatsappMessages.attempts} = 0`,
        ),
      ),
    db
      .delete(whatsappPending)
      .where(and(eq(whatsappPending.accountId, accountId), inArray(whatsappPending.messageId, folded))),
  ]);
  return carrier.id;
}
