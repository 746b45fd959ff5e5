// Background work: answering accepted messages off the response path, and the cron job that retries what is
// due (including anything a stopped Worker left behind) and forgets what has outlived its purpose.
import { and, eq, inArray, lte, or, sql } from "drizzle-orm";
import { whatsappMessages, whatsappPending } from "../../db/schema";
import { getDb } from "../db";
import { DAY_MS } from "../time";
import { answerMessage } from "./answer";
import { resealLegacyConnections } from "./connection";
import { purgeErasureNotes } from "./contact-data/erase";
import { forgetClosedWindows } from "./contacts";
import { purgeExpiredContext } from "./context";
import type { MessageRef } from "./inbox";
import { purgeOldNotices } from "./number-notices";
import { METADATA_RETENTION_DAYS } from "./window";

/** Stop starting new answers after this long, so waitUntil's budget is never exceeded; the cron takes the rest. */
const BUDGET_MS = 20_000;
const DUE_PER_TICK = 50;

/** Answers messages one after another (keeps a conversation's replies in order) within the time budget. */
export async function answerAll(env: Env, ctx: ExecutionContext, refs: MessageRef[], now?: number) {
  const started = Date.now();
  for (const ref of refs) {
    if (Date.now() - started > BUDGET_MS) return;
    await answerMessage(env, ctx, ref, now ?? Date.now());
  }
}

/** An ExecutionContext for cron work: the gateway's waitUntil promises are awaited before the job ends. */
function jobContext(): { ctx: ExecutionContext; drain: () => Promise<void> } {
  const waiting: Promise<unknown>[] = [];
  const ctx = {
    waitUntil: (promise: Promise<unknown>) => void waiting.push(promise),
    passThroughOnException: () => {},
    props: {},
  } as unknown as ExecutionContext;
  return { ctx, drain: async () => void (await Promise.allSettled(waiting)) };
}

async function dueMessages(env: Env, now: number): Promise<MessageRef[]> {
  const at = new Date(now);
  return getDb(env.DB)
    .select({ accountId: whatsappMessages.accountId, messageId: whatsappMessages.id })
    .from(whatsappMessages)
    .where(
      and(
        eq(whatsappMessages.direction, "in"),
        or(
          and(eq(whatsappMessages.status, "pending"), lte(whatsappMessages.nextAttemptAt, at)),
          and(eq(whatsappMessages.status, "processing"), lte(whatsappMessages.leaseUntil, at)),
        ),
      ),
    )
    .orderBy(whatsappMessages.sentAt)
    .limit(DUE_PER_TICK);
}

/** Pending pieces whose window has closed can never be used: the message is marked expired and they go. */
async function expireStale(env: Env, now: number): Promise<void> {
  const db = getDb(env.DB);
  const stale = await db
    .select({ accountId: whatsappPending.accountId, messageId: whatsappPending.messageId })
    .from(whatsappPending)
    .where(lte(whatsappPending.expiresAt, new Date(now)))
    .limit(500);
  for (const { accountId, messageId } of stale) {
    await db.batch([
      db
        .update(whatsappMessages)
        .set({ status: "expired", error: "outside_24h_window: not answered in time", leaseUntil: null })
        .where(
          and(
            eq(whatsappMessages.accountId, accountId),
            eq(whatsappMessages.id, messageId),
            inArray(whatsappMessages.status, ["pending", "processing"]),
          ),
        ),
      db
        .delete(whatsappPending)
        .where(and(eq(whatsappPending.accountId, accountId), eq(whatsappPending.messageId, messageId))),
    ]);
  }
}

async function purgeOldMetadata(env: Env, now: number): Promise<void> {
  const cutoff = now - METADATA_RETENTION_DAYS * DAY_MS;
  await getDb(env.DB).run(sql`
    DELETE FROM ${whatsappMessages} WHERE created_at < ${cutoff} AND status NOT IN ('pending', 'processing')`);
  await purgeOldNotices(getDb(env.DB), cutoff);
}

export const whatsappJob = {
  name: "whatsapp",
  async run(env: Env, now: Date): Promise<void> {
    const { ctx, drain } = jobContext();
    try {
      await answerAll(env, ctx, await dueMessages(env, now.getTime()), now.getTime());
    } finally {
      await drain();
    }
    await expireStale(env, now.getTime());
    await purgeExpiredContext(getDb(env.DB), now.getTime());
    await forgetClosedWindows(getDb(env.DB), now.getTime());
    await purgeOldMetadata(env, now.getTime());
    await purgeErasureNotes(getDb(env.DB), now.getTime());
    await resealLegacyConnections(env, getDb(env.DB));
  },
};
