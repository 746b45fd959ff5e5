// The retried outbox: a notice is written to D1 before any delivery is tried, then delivered at once; if
// the transport fails (5xx, timeout, no key), it stays and the cron retries it with backoff until it goes.
// Each attempt holds a lease, so two runs never deliver one notice at once; the notice id is the
// provider's idempotency key, so an attempt that was accepted but never confirmed is not sent twice.
import { sql } from "drizzle-orm";
import { getConfig } from "../config";
import { getDb } from "../db";
import { countFailure } from "../failure-counts";
import { DAY_MS, HOUR_MS } from "../time";
import { localTransport } from "./local";
import type { NoticeTransport, OutgoingNotice } from "./notice";
import { resendTransport } from "./resend";

const RETRY_BASE_MS = 30_000;
const RETRY_CAP_MS = HOUR_MS;
/** Sent husks (id and time only) are kept this long, beyond the provider's 24 h idempotency window. */
export const SENT_KEPT_MS = 7 * DAY_MS;
/** Notices delivered per cron run; the rest wait for the next run. */
const DRAIN_LIMIT = 50;
/** A run stops after this many failures: the provider is likely down, and each failure can take a timeout. */
const FAILURES_PER_RUN = 3;

function noticeTransport(env: Env): NoticeTransport {
  const config = getConfig(env);
  if (config.mail.transport === "local") return localTransport(getDb(env.DB));
  return resendTransport({ ...config.mail, localMode: config.localMode });
}

/** An attempt's lease: longer than the transport's deadline, so it ends only if the attempt died. */
const leaseMs = (env: Env) => getConfig(env).mail.timeoutMs + 30_000;

type Row = {
  id: string;
  account_id: string | null;
  to: string;
  kind: string;
  subject: string;
  text: string;
  created_at: number;
};

function outgoing(env: Env, row: Row): OutgoingNotice {
  return {
    id: row.id,
    accountId: row.account_id,
    to: row.to,
    kind: row.kind as OutgoingNotice["kind"],
    subject: row.subject,
    text: row.text,
    from: getConfig(env).mail.from,
    createdAt: new Date(row.created_at),
  };
}

/** Delivers one claimed notice; records the result. Never throws for a transport failure. */
async function attempt(env: Env, notice: OutgoingNotice, now: number): Promise<boolean> {
  try {
    await noticeTransport(env).deliver(notice);
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 100) : "error";
    await env.DB.prepare(
      "UPDATE notice_outbox SET lease_until = 0, last_error = ? WHERE id = ? AND sent_at IS NULL",
    )
      .bind(reason, notice.id)
      .run();
    await countFailure(env, "notice_delivery", error);
    return false;
  }
  // Sent: keep only the id and the time (the husk makes a repeat of the same key a no-op).
  await env.DB.prepare(
    `UPDATE notice_outbox SET sent_at = ?, lease_until = 0, last_error = NULL, account_id = NULL,
       "to" = '', subject = '', text = '' WHERE id = ?`,
  )
    .bind(now, notice.id)
    .run();
  return true;
}

/** Next try after the n-th attempt: 30 s doubling, capped at an hour. */
const retryAt = (now: number) => sql`${now} + min(${RETRY_CAP_MS}, ${RETRY_BASE_MS} << min(attempts, 10))`;

/**
 * Writes the notice to the outbox (claimed by this call) and tries it once. Resolves once the notice is
 * durable, delivered or not; throws only when D1 could not keep it.
 */
export async function enqueueNotice(env: Env, notice: OutgoingNotice): Promise<void> {
  const now = Date.now();
  const inserted = await env.DB.prepare(
    `INSERT INTO notice_outbox (id, account_id, "to", kind, subject, text, created_at, attempts,
       next_attempt_at, lease_until)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?7 + ?8, ?7 + ?9)
     ON CONFLICT (id) DO NOTHING`,
  )
    .bind(
      notice.id,
      notice.accountId ?? null,
      notice.to,
      notice.kind,
      notice.subject,
      notice.text,
      now,
      RETRY_BASE_MS * 2,
      leaseMs(env),
    )
    .run();
  // The same key again: it is already on its way (or gone).
  if (!inserted.meta.changes) return;
  try {
    await attempt(env, notice, now);
  } catch {
    // D1 failed while recording the attempt: the notice is kept, and once its lease ends the cron
    // retries it under the same key. Resolving here keeps the caller from queueing it a second time.
  }
}

/** Claims a due notice for one attempt; null when it is sent, not due, or held by another attempt. */
async function claim(env: Env, id: string, now: number): Promise<Row | null> {
  const db = getDb(env.DB);
  const rows = await db.all<Row>(sql`
    UPDATE notice_outbox
    SET attempts = attempts + 1, lease_until = ${now + leaseMs(env)}, next_attempt_at = ${retryAt(now)}
    WHERE id = ${id} AND sent_at IS NULL AND lease_until <= ${now} AND next_attempt_at <= ${now}
    RETURNING id, account_id, "to", kind, subject, text, created_at`);
  return rows[0] ?? null;
}

/** The cron's part: retries every due notice (up to a page), and purges old sent husks. */
export async function deliverDueNotices(env: Env, now: Date): Promise<{ sent: number; failed: number }> {
  const at = now.getTime();
  const { results } = await env.DB.prepare(
    `SELECT id FROM notice_outbox WHERE sent_at IS NULL AND next_attempt_at <= ?1 AND lease_until <= ?1
     ORDER BY next_attempt_at LIMIT ?2`,
  )
    .bind(at, DRAIN_LIMIT)
    .all<{ id: string }>();
  let sent = 0;
  let failed = 0;
  for (const { id } of results) {
    if (failed >= FAILURES_PER_RUN) break;
    const row = await claim(env, id, at);
    if (!row) continue;
    if (await attempt(env, outgoing(env, row), at)) sent += 1;
    else failed += 1;
  }
  await env.DB.prepare("DELETE FROM notice_outbox WHERE sent_at IS NOT NULL AND sent_at < ?")
    .bind(at - SENT_KEPT_MS)
    .run();
  return { sent, failed };
}
