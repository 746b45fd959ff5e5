// Short conversation context for better replies: kept only with content logging on, sealed, and only until the
// customer-service window closes. With logging off every message is answered on its own and nothing is kept.
import { and, asc, eq, gt, lte } from "drizzle-orm";
import { whatsappContext } from "../../db/schema";
import type { Db } from "../env";
import { open, seal } from "./sealing";

/** Earlier turns sent to the model; enough for a follow-up question, small enough to stay cheap. */
const MAX_TURNS = 10;

export type Turn = { role: "user" | "assistant"; content: string };

const field = (messageId: string) => `context|${messageId}`;

/** The conversation so far between this number and this contact, oldest first, if its window is still open. */
export async function loadContext(
  env: Env,
  db: Db,
  conversation: { accountId: string; phoneNumberId: string; contactHash: string },
  now: number,
): Promise<Turn[]> {
  const { accountId, phoneNumberId, contactHash } = conversation;
  const rows = await db
    .select()
    .from(whatsappContext)
    .where(
      and(
        eq(whatsappContext.accountId, accountId),
        eq(whatsappContext.phoneNumberId, phoneNumberId),
        eq(whatsappContext.contactHash, contactHash),
        gt(whatsappContext.expiresAt, new Date(now)),
      ),
    )
    .orderBy(asc(whatsappContext.createdAt));
  const recent = rows.slice(-MAX_TURNS);
  return Promise.all(
    recent.map(async (row) => ({
      role: row.role,
      content: await open(env, accountId, field(row.messageId), row.bodySealed),
    })),
  );
}

type KeptTurn = { id: string; role: Turn["role"]; text: string; at: number };

/** Keeps turns of one conversation, sealed, until its window closes (a turn already kept stays as it was). */
export async function keepTurns(
  env: Env,
  db: Db,
  input: {
    accountId: string;
    phoneNumberId: string;
    contactHash: string;
    turns: KeptTurn[];
    expiresAt: number;
  },
): Promise<void> {
  const { accountId, phoneNumberId, contactHash, expiresAt } = input;
  const rows = await Promise.all(
    input.turns.map(async (t) => ({
      accountId,
      phoneNumberId,
      messageId: t.id,
      contactHash,
      role: t.role,
      bodySealed: await seal(env, accountId, field(t.id), t.text),
      createdAt: new Date(t.at),
      expiresAt: new Date(expiresAt),
    })),
  );
  await db.insert(whatsappContext).values(rows).onConflictDoNothing();
}

/** Keeps one exchange (the customer's message and our reply) until the window closes. */
export async function keepExchange(
  env: Env,
  db: Db,
  input: {
    accountId: string;
    phoneNumberId: string;
    contactHash: string;
    inbound: { id: string; text: string; at: number };
    reply: { id: string; text: string; at: number };
    expiresAt: number;
  },
): Promise<void> {
  const { inbound, reply, ...conversation } = input;
  await keepTurns(env, db, {
    ...conversation,
    turns: [
      { ...inbound, role: "user" },
      { ...reply, role: "assistant" },
    ],
  });
}

/** A message a person will answer (the bot is paused): kept so the inbox can show it. */
export async function keepInbound(
  env: Env,
  db: Db,
  input: {
    key: { accountId: string; phoneNumberId: string; contactHash: string };
    /** Ordered by when it reached us: Meta's timestamps are whole seconds, our earlier reply has milliseconds. */
    message: { id: string; createdAt: Date };
    text: string;
    expiresAt: number;
  },
): Promise<void> {
  const { key, message, text, expiresAt } = input;
  await keepTurns(env, db, {
    ...key,
    turns: [{ id: message.id, role: "user", text, at: message.createdAt.getTime() }],
    expiresAt,
  });
}

/** Logging was turned off: whatever context the account still has goes now, not at the window's end. */
export async function forgetContext(db: Db, accountId: string): Promise<void> {
  await db.delete(whatsappContext).where(eq(whatsappContext.accountId, accountId));
}

/** The cron's part: context whose window has closed. */
export async function purgeExpiredContext(db: Db, now: number): Promise<void> {
  await db.delete(whatsappContext).where(lte(whatsappContext.expiresAt, new Date(now)));
}
