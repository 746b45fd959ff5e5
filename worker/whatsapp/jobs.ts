// The cron job: hands what is due (a retry, anything a stopped Worker left behind) to the number's Durable Object,
// which answers it on its schedule, and forgets what has outlived its purpose.
import { and, eq, inArray, lte, or, sql } from "drizzle-orm";
import { whatsappMessages, whatsappPending } from "../../db/schema";
import { getDb } from "../db";
import { DAY_MS } from "../time";
import { answerMessage } from "./answer";
import { resealLegacyConnections } from "./connection";
import { purgeErasureNotes } from "./contact-data/erase";
import { forgetClosedWindows } from "./contacts";
import { purgeExpiredContext } from "./context";
import { jobContext } from "./job-context";
import { purgeOldNotices } from "./number-notices";
import { handIn } from "./number-object/hand-in";
import type { Queued } from "./number-object/schedule";
import { METADATA_RETENTION_DAYS } from "./window";

const DUE_PER_TICK = 50;

async function dueMessages(env: Env, now: number) {
  const at = new Date(now);
  return getDb(env.DB)
    .select({
      accountId: whatsappMessages.accountId,
      messageId: whatsappMessages.id,
      phoneNumberId: whatsappMessages.phoneNumberId,
      contactHash: whatsappMessages.contactHash,
      sentAt: whatsappMessages.sentAt,
      createdAt: whatsappMessages.createdAt,
      attempts: whatsappMessages.attempts,
      nextAttemptAt: whatsappMessages.nextAttemptAt,
      leaseUntil: whatsappMessages.leaseUntil,
    })
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

/**
 * Due messages go to their number's object (it ignores what it already holds; one never attempted waits out the
 * quiet period from when it was recorded), and each object then answers what is due at the tick's time.
 */
async function answerDue(env: Env, now: number): Promise<void> {
  const due = await dueMessages(env, now);
  const items: Queued[] = [];
  for (const m of due) {
    if (m.phoneNumberId === null) continue;
    const attempted = m.attempts > 0;
    items.push({
      accountId: m.accountId,
      phoneNumberId: m.phoneNumberId,
      messageId: m.messageId,
      contactHash: m.contactHash,
      sentAt: m.sentAt.getTime(),
      arrivedAt: m.createdAt.getTime(),
      dueAt: attempted ? ((m.nextAttemptAt ?? m.leaseUntil)?.getTime() ?? now) : null,
    });
  }
  await handIn(env, items, now, now);
  // Recorded before messages named their number (none should be left): answered where they are, unpaced.
  const { ctx, drain } = jobContext();
  try {
    for (const m of due.filter((d) => d.phoneNumberId === null)) await answerMessage(env, ctx, m, now);
  } finally {
    await drain();
  }
}

export const whatsappJob = {
  name: "whatsapp",
  async run(env: Env, now: Date): Promise<void> {
    await answerDue(env, now.getTime());
    await expireStale(env, now.getTime());
    await purgeExpiredContext(getDb(env.DB), now.getTime());
    await forgetClosedWindows(getDb(env.DB), now.getTime());
    await purgeOldMetadata(env, now.getTime());
    await purgeErasureNotes(getDb(env.DB), now.getTime());
    await resealLegacyConnections(env, getDb(env.DB));
  },
};
