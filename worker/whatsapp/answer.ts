// Answering one inbound message, at most once at a time: claim it, check the 24-hour window, ask the AI (once —
// the reply is sealed until sent, so a Graph retry never charges twice), send it, then settle and forget.
// Content logging (the retention copy) happens inside completeChat, exactly as for API requests.
import { and, eq, sql } from "drizzle-orm";
import { whatsappConnections, whatsappMessages, whatsappPending } from "../../db/schema";
import { completeChat } from "../ai/complete";
import { getConfig } from "../config";
import { type LoggingPolicy, loggingPolicy } from "../content/capture";
import { getDb } from "../db";
import type { Db } from "../env";
import { toAppError } from "../errors";
import { log } from "../observability/log";
import { isRestricted } from "../privacy/rights-requests/restriction";
import { HOUR_MS } from "../time";
import { findConnection } from "./connection";
import { forgetContext, keepExchange, loadContext } from "./context";
import { sendText } from "./graph";
import type { MessageRef } from "./inbox";
import { open, seal } from "./sealing";
import { WINDOW_MS, windowClosesAt } from "./window";

/** How long one worker owns a message before another may take it over (it must have died). */
const LEASE_MS = 2 * 60_000;
const MAX_ATTEMPTS = 6;
const MAX_REPLY_TOKENS = 1024;
const NON_TEXT_REPLY =
  "Thanks for your message! I can only read text for now — could you type your question?";

export type Outcome = "replied" | "skipped" | "expired" | "no_credit" | "failed" | "retry" | "busy";

type Message = typeof whatsappMessages.$inferSelect;
type Connection = typeof whatsappConnections.$inferSelect;

const where = (ref: MessageRef) =>
  and(eq(whatsappMessages.accountId, ref.accountId), eq(whatsappMessages.id, ref.messageId));
const pendingWhere = (ref: MessageRef) =>
  and(eq(whatsappPending.accountId, ref.accountId), eq(whatsappPending.messageId, ref.messageId));

/** Retry delays: 30 s, 2 min, 8 min, 32 min, then hourly — the window caps them anyway. */
const backoffMs = (attempts: number) => Math.min(30_000 * 4 ** Math.max(0, attempts - 1), HOUR_MS);

/** Takes the message if it is due and nobody else holds it; true when this caller now owns it. */
async function claim(db: Db, ref: MessageRef, now: number): Promise<boolean> {
  const result = await db.run(sql`
    UPDATE ${whatsappMessages}
    SET status = 'processing', lease_until = ${now + LEASE_MS}, attempts = attempts + 1, updated_at = ${now}
    WHERE account_id = ${ref.accountId} AND id = ${ref.messageId} AND direction = 'in' AND (
      (status = 'pending' AND coalesce(next_attempt_at, 0) <= ${now})
      OR (status = 'processing' AND lease_until < ${now})
    )`);
  return result.meta.changes === 1;
}

/** A final state: the pending pieces are deleted, the reason kept (codes only, never content). */
async function settle(
  db: Db,
  ref: MessageRef,
  outcome: Exclude<Outcome, "replied" | "retry" | "busy">,
  error: string | null,
  now: number,
): Promise<Outcome> {
  const at = new Date(now);
  const settled = db
    .update(whatsappMessages)
    .set({ status: outcome, error, leaseUntil: null, nextAttemptAt: null, updatedAt: at })
    .where(where(ref));
  const forget = db.delete(whatsappPending).where(pendingWhere(ref));
  if (!error) {
    await db.batch([settled, forget]);
    return outcome;
  }
  const statusLine = db
    .update(whatsappConnections)
    .set({ lastError: error, lastErrorAt: at })
    .where(eq(whatsappConnections.accountId, ref.accountId));
  await db.batch([settled, forget, statusLine]);
  return outcome;
}

async function retryLater(db: Db, ref: MessageRef, attempts: number, error: string, now: number) {
  if (attempts >= MAX_ATTEMPTS) return settle(db, ref, "failed", error, now);
  const at = new Date(now);
  await db.batch([
    db
      .update(whatsappMessages)
      .set({
        status: "pending",
        error,
        leaseUntil: null,
        nextAttemptAt: new Date(now + backoffMs(attempts)),
        updatedAt: at,
      })
      .where(where(ref)),
    db
      .update(whatsappConnections)
      .set({ lastError: error, lastErrorAt: at })
      .where(eq(whatsappConnections.accountId, ref.accountId)),
  ]);
  return "retry" as const;
}

/** Answers one inbound message if it is due; safe to call for any message, any number of times. */
export async function answerMessage(
  env: Env,
  ctx: ExecutionContext,
  ref: MessageRef,
  now = Date.now(),
): Promise<Outcome> {
  const db = getDb(env.DB);
  if (!(await claim(db, ref, now))) return "busy";
  const message = (await db.query.whatsappMessages.findFirst({ where: where(ref) }))!;
  try {
    return await answerClaimed(env, ctx, db, message, now);
  } catch (error) {
    const name = error instanceof Error ? error.name : "error";
    log.error("whatsapp: answering failed", { errorName: name });
    return retryLater(db, ref, message.attempts, `internal_error: ${name}`, now);
  }
}

async function answerClaimed(
  env: Env,
  ctx: ExecutionContext,
  db: Db,
  message: Message,
  now: number,
): Promise<Outcome> {
  const ref = { accountId: message.accountId, messageId: message.id };
  const connection = await findConnection(db, ref.accountId);
  if (!connection) return settle(db, ref, "failed", "disconnected", now);
  // Art. 18: while processing is restricted the message is only stored (its metadata); no reply is made.
  if (await isRestricted(db, ref.accountId)) return settle(db, ref, "skipped", "processing_restricted", now);
  const pending = await db.query.whatsappPending.findFirst({ where: pendingWhere(ref) });
  if (!pending) return settle(db, ref, "failed", "nothing_to_answer", now);
  const closesAt =
    (await windowClosesAt(db, ref.accountId, message.contactHash)) ?? message.sentAt.getTime() + WINDOW_MS;
  if (now >= closesAt) {
    return settle(
      db,
      ref,
      "expired",
      "outside_24h_window: free-form replies end 24 h after the customer's last message",
      now,
    );
  }

  const policy = await loggingPolicy(env, ref.accountId);
  const text = pending.bodySealed
    ? await open(env, ref.accountId, `pending.body|${ref.messageId}`, pending.bodySealed)
    : null;
  let reply = pending.replySealed
    ? await open(env, ref.accountId, `pending.reply|${ref.messageId}`, pending.replySealed)
    : null;
  if (reply === null) {
    const composed = await compose(env, ctx, db, { connection, message, text, policy, now });
    if ("outcome" in composed) return composed.outcome;
    reply = composed.reply;
    const replySealed = await seal(env, ref.accountId, `pending.reply|${ref.messageId}`, reply);
    await db.update(whatsappPending).set({ replySealed }).where(pendingWhere(ref));
  }

  const to = await open(env, ref.accountId, `pending.recipient|${ref.messageId}`, pending.recipientSealed);
  const accessToken = await open(env, ref.accountId, "access_token", connection.accessTokenSealed);
  const sent = await sendText(getConfig(env), {
    phoneNumberId: connection.phoneNumberId,
    accessToken,
    to,
    text: reply,
  });
  if (!sent.ok) {
    if (sent.windowClosed) return settle(db, ref, "expired", `outside_24h_window: ${sent.error}`, now);
    if (sent.retryable) return retryLater(db, ref, message.attempts, sent.error, now);
    return settle(db, ref, "failed", sent.error, now);
  }
  await recordReply(db, message, sent.messageId, now);
  if (policy.enabled && text !== null) {
    await keepContent(env, db, { message, text, reply, replyId: sent.messageId, closesAt, now });
  }
  return "replied";
}

/** The reply's text, or the outcome when there will be none (out of credit, refused) or not yet (retry). */
async function compose(
  env: Env,
  ctx: ExecutionContext,
  db: Db,
  input: {
    connection: Connection;
    message: Message;
    text: string | null;
    policy: LoggingPolicy;
    now: number;
  },
): Promise<{ reply: string } | { outcome: Outcome }> {
  const { connection, message, text, policy, now } = input;
  const ref = { accountId: message.accountId, messageId: message.id };
  if (text === null) return { reply: NON_TEXT_REPLY };
  if (!policy.enabled) await forgetContext(db, ref.accountId);
  const history = policy.enabled ? await loadContext(env, db, ref.accountId, message.contactHash, now) : [];
  const system = connection.systemPrompt.trim()
    ? [{ role: "system" as const, content: connection.systemPrompt }]
    : [];
  try {
    const result = await completeChat(env, ctx, {
      accountId: ref.accountId,
      model: connection.model,
      messages: [...system, ...history, { role: "user", content: text }],
      maxTokens: MAX_REPLY_TOKENS,
      source: "whatsapp",
    });
    const reply = result.text.trim();
    if (reply) return { reply };
    return { outcome: await settle(db, ref, "failed", "empty_reply: the model returned no text", now) };
  } catch (error) {
    const e = toAppError(error);
    if (e.status === 402) {
      const reason = "no_credit: the account is out of credit; the message was not answered";
      return { outcome: await settle(db, ref, "no_credit", reason, now) };
    }
    const reason = `ai_error: HTTP ${e.status}${e.options.code ? ` (${e.options.code})` : ""}`;
    if (e.status === 429 || e.status >= 500) {
      return { outcome: await retryLater(db, ref, message.attempts, reason, now) };
    }
    return { outcome: await settle(db, ref, "failed", reason, now) };
  }
}

/** Sent: one outbound row, the inbound one settled, the pending pieces gone — together. */
async function recordReply(db: Db, message: Message, replyId: string, now: number): Promise<void> {
  const ref = { accountId: message.accountId, messageId: message.id };
  const at = new Date(now);
  await db.batch([
    db
      .insert(whatsappMessages)
      .values({
        accountId: ref.accountId,
        id: replyId,
        direction: "out",
        type: "text",
        contactHash: message.contactHash,
        status: "accepted",
        sentAt: at,
        createdAt: at,
        updatedAt: at,
        relatedId: message.id,
      })
      .onConflictDoNothing(),
    db
      .update(whatsappMessages)
      .set({
        status: "replied",
        relatedId: replyId,
        error: null,
        leaseUntil: null,
        nextAttemptAt: null,
        updatedAt: at,
      })
      .where(where(ref)),
    db.delete(whatsappPending).where(pendingWhere(ref)),
    db
      .update(whatsappConnections)
      .set({ lastReplyAt: at })
      .where(eq(whatsappConnections.accountId, ref.accountId)),
  ]);
}

/**
 * Content logging is on: the exchange stays as sealed context until the window ends. (The logged copy under the
 * retention rules is written by completeChat itself, with source "whatsapp", like every AI request.)
 */
async function keepContent(
  env: Env,
  db: Db,
  input: { message: Message; text: string; reply: string; replyId: string; closesAt: number; now: number },
): Promise<void> {
  const { message, text, reply, now } = input;
  try {
    await keepExchange(env, db, {
      accountId: message.accountId,
      contactHash: message.contactHash,
      inbound: { id: message.id, text, at: message.sentAt.getTime() },
      reply: { id: input.replyId, text: reply, at: now },
      expiresAt: input.closesAt,
    });
  } catch (error) {
    // The customer has their answer; losing the context must not turn it into a retry (a second reply).
    log.error("whatsapp: keeping context failed", { error });
  }
}
