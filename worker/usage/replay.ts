// The durable hand-off of usage batches (ADR 020): a batch the account object could not take after the batcher's
// attempts goes to a Cloudflare Queue; this Worker consumes it and applies it to the object — idempotently by
// usage id, so a batch the object took before its answer was lost, or a message delivered twice, settles nothing
// twice — retrying with a growing delay while the object is unavailable. What still fails after the queue's
// retries reaches the dead-letter queue, whose batches are counted (never their rows) for /admin.
import { desc, sql } from "drizzle-orm";
import { usageDeadLetters } from "../../db/schema";
import { accountObject } from "../account-object/stub";
import type { Db } from "../env";
import { log } from "../observability/log";
import type { MeteredRow } from "./row";

/** One batch the object could not take: the account's rows, exactly as the batcher would have sent them. */
export type HandedOff = { accountId: string; rows: MeteredRow[] };

/** The longest wait between two tries of one batch (the delay doubles from 2 s up to this). */
const MAX_RETRY_DELAY_S = 60;

/** Hands a batch to the queue; throws when even that fails (the one remaining loss, logged by the caller). */
export async function handOff(env: Env, batch: HandedOff): Promise<void> {
  await env.USAGE_QUEUE.send(batch, { contentType: "json" });
}

/** The dead-letter queue is the usage queue's name with `-dead` (wrangler.toml). */
const isDeadLetters = (queue: string) => queue.endsWith("-dead");

/** The Worker's queue handler: replays handed-off batches, or records the dead ones. */
export async function consumeQueue(batch: MessageBatch<HandedOff>, env: Env): Promise<void> {
  if (isDeadLetters(batch.queue)) return recordDeadLetters(batch, env);
  await Promise.all(batch.messages.map((message) => replay(message, env)));
}

async function replay(message: Message<HandedOff>, env: Env): Promise<void> {
  const { accountId, rows } = message.body;
  try {
    await accountObject(env, accountId).meterBatch(accountId, rows);
    message.ack();
  } catch (error) {
    log.warn("usage replay failed", { error, attempts: message.attempts });
    message.retry({ delaySeconds: Math.min(MAX_RETRY_DELAY_S, 2 ** message.attempts) });
  }
}

async function recordDeadLetters(batch: MessageBatch<HandedOff>, env: Env): Promise<void> {
  const now = Date.now();
  const statements = batch.messages.map((message) => {
    const { rows } = message.body;
    const cost = rows.reduce((total, row) => total + row.costMicros, 0);
    const first = rows.reduce((min, row) => Math.min(min, row.createdAt), now);
    return env.DB.prepare(
      "INSERT INTO usage_dead_letters (id, rows, cost_micros, first_row_at, dead_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ).bind(message.id, rows.length, cost, first, now);
  });
  await env.DB.batch(statements);
  log.error("usage batches dead-lettered", { batches: batch.messages.length });
  batch.ackAll();
}

/** What /admin shows of the dead-letter queue: how many batches, rows and micro-USD, and the latest batches. */
export async function deadLetterSummary(db: Db, recent = 10) {
  const [totals] = await db
    .select({
      batches: sql<number>`count(*)`,
      rows: sql<number>`coalesce(sum(${usageDeadLetters.rows}), 0)`,
      costMicros: sql<number>`coalesce(sum(${usageDeadLetters.costMicros}), 0)`,
    })
    .from(usageDeadLetters);
  const latest = await db
    .select()
    .from(usageDeadLetters)
    .orderBy(desc(usageDeadLetters.deadAt))
    .limit(recent);
  return {
    ...(totals ?? { batches: 0, rows: 0, costMicros: 0 }),
    latest: latest.map((b) => ({
      ...b,
      firstRowAt: b.firstRowAt.toISOString(),
      deadAt: b.deadAt.toISOString(),
    })),
  };
}
