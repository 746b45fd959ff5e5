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
  const { accountId, phoneNumberId, contactHash, expiresAt } = input;
  const row = async (id: string, role: Turn["role"], text: string, at: number) => ({
    accountId,
    phoneNumberId,
    messageId: id,
    contactHash,
    role,
    bodySealed: await seal(env, accountId, field(id), text),
    createdAt: new Date(at),
    expiresAt: new Date(expiresAt),
  });
  await db
    .insert(whatsappContext)
    .values([
      await row(input.inbound.id, "user", input.inbound.text, input.inbound.at),
      await row(input.reply.id, "assistant", input.reply.text, input.reply.at),
    ])
    .onConflictDoNothing();
}

/** Logging was turned off: whatever context the account still has goes now, not at the window's end. */
export async function forgetContext(db: Db, accountId: string): Promise<void> {
  await db.delete(whatsappContext).where(eq(whatsappContext.accountId, accountId));
}

/** The cron's part: context whose window has closed. */
export async function purgeExpiredContext(db: Db, now: number): Promise<void> {
  await db.delete(whatsappContext).where(lte(whatsappContext.expiresAt, new Date(now)));
}
