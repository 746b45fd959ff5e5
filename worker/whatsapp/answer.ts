// Answering one inbound message, at most once at a time: claim it, check the 24-hour window, ask the AI (once —
// the reply is sealed until sent, so a Graph retry never charges twice), send it, then settle and forget.
// Content logging (the retention copy) happens inside the gateway, exactly as for API requests.
import { and, eq, sql } from "drizzle-orm";
import { whatsappConnections, whatsappContext, whatsappMessages, whatsappPending } from "../../db/schema";
import { findModel } from "../ai/catalogue";
import { catalogueReady } from "../ai/catalogue/overrides/cache";
import { getConfig } from "../config";
import { type LoggingPolicy, loggingPolicy } from "../content/capture";
import { getDb } from "../db";
import type { Db } from "../env";
import { toAppError } from "../errors";
import { log } from "../observability/log";
import { isRestricted } from "../privacy/rights-requests/restriction";
import { newRequestId } from "../request-id";
import { HOUR_MS } from "../time";
import type { ChatContent } from "./ask";
import { askModel } from "./ask";
import { findConnection } from "./connection";
import { pause } from "./contacts";
import { forgetContext, keepExchange, keepInbound, loadContext } from "./context";
import { alertFailure } from "./failure-alert";
import { sendFallback } from "./fallback";
import { gateMessage, HAND_OFF_REPLY } from "./gate";
import { fetchMedia, markRead, type SendResult, sendText } from "./graph";
import { announceHandOff } from "./hand-off";
import type { MessageRef } from "./inbox";
import type { Pacer } from "./number-object/pacer";
import { type Attachment, customerTurn, VOICE_NOTE_HEARD } from "./prompt";
import { open, seal } from "./sealing";
import { type SentKind, sentRow } from "./sent-row";
import { splitReply } from "./split";
import type { Understood } from "./understand";
import { hearVoiceNote } from "./voice";
import { WINDOW_MS, windowClosesAt } from "./window";

/** A reply, or one part of a split one. */
const TEXT: SentKind = { type: "text" };

/** How long one worker owns a message before another may take it over (it must have died). */
const LEASE_MS = 2 * 60_000;
const MAX_ATTEMPTS = 6;
const MAX_REPLY_TOKENS = 1024;
const NON_TEXT_REPLY =
  "Thanks for your message! I could not read this kind of message — could you type your question?";
const VOICE_NOTE = "(The customer sent a voice message, which this assistant cannot listen to.)";
/**
 * A voice note that could not be transcribed: a fixed reply, no model call, nothing charged.
 * @internal exported for the tests
 */
export const VOICE_FALLBACK_REPLY =
  "Sorry — I could not listen to your voice message just now. Could you type your question?";
const NO_CREDIT = "no_credit: the account is out of credit; the message was not answered";

export type Outcome =
  | "replied"
  | "skipped"
  | "opted_out"
  | "handed_off"
  | "expired"
  | "no_credit"
  | "failed"
  | "retry"
  | "paced"
  | "busy";

type Message = typeof whatsappMessages.$inferSelect;
type Connection = typeof whatsappConnections.$inferSelect;

const refOf = (message: Message) => ({
  accountId: message.accountId,
  messageId: message.id,
  phoneNumberId: message.phoneNumberId,
});

const where = (ref: MessageRef) =>
  and(eq(whatsappMessages.accountId, ref.accountId), eq(whatsappMessages.id, ref.messageId));
const pendingWhere = (ref: MessageRef) =>
  and(eq(whatsappPending.accountId, ref.accountId), eq(whatsappPending.messageId, ref.messageId));

/** Retry delays: 30 s, 2 min, 8 min, 32 min, then hourly — the window caps them anyway. */
const backoffMs = (attempts: number) => Math.min(30_000 * 4 ** Math.max(0, attempts - 1), HOUR_MS);
/** Meta's documented first wait for a throttling error, doubled per attempt; else the general backoff. */
const retryDelayMs = (attempts: number, retryAfterMs?: number) =>
  retryAfterMs ? retryAfterMs * 2 ** Math.max(0, attempts - 1) : backoffMs(attempts);

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

/** The status line of the number a message came to (messages recorded before numbers had ids: none). */
const numberIs = (phoneNumberId: string | null) => eq(whatsappConnections.phoneNumberId, phoneNumberId ?? "");

/** A final state: the pending pieces are deleted, the reason kept (codes only, never content). */
async function settle(
  db: Db,
  ref: MessageRef & { phoneNumberId: string | null },
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
    .where(numberIs(ref.phoneNumberId));
  await db.batch([settled, forget, statusLine]);
  return outcome;
}

async function retryLater(
  db: Db,
  ref: MessageRef & { phoneNumberId: string | null },
  attempts: number,
  error: string,
  now: number,
  /** Meta's documented first wait for a throttling error (doubled per attempt); else the general backoff. */
  retryAfterMs?: number,
) {
  if (attempts >= MAX_ATTEMPTS) return settle(db, ref, "failed", error, now);
  const delay = retryDelayMs(attempts, retryAfterMs);
  const at = new Date(now);
  await db.batch([
    db
      .update(whatsappMessages)
      .set({
        status: "pending",
        error,
        leaseUntil: null,
        nextAttemptAt: new Date(now + delay),
        updatedAt: at,
      })
      .where(where(ref)),
    db
      .update(whatsappConnections)
      .set({ lastError: error, lastErrorAt: at })
      .where(numberIs(ref.phoneNumberId)),
  ]);
  return "retry" as const;
}

/**
 * The pacer has no slot before `at` (Meta's pair or throughput limit): the message waits, its sealed reply (or
 * what is left of it) kept, and the attempt is not counted — it did not fail.
 */
async function paceLater(db: Db, ref: MessageRef, at: number, now: number): Promise<Outcome> {
  await db.run(sql`
    UPDATE ${whatsappMessages}
    SET status = 'pending', lease_until = NULL, next_attempt_at = ${at}, attempts = max(attempts - 1, 0),
      updated_at = ${now}
    WHERE account_id = ${ref.accountId} AND id = ${ref.messageId}`);
  return "paced";
}

/**
 * Answers one inbound message if it is due; safe to call for any message, any number of times. With a pacer
 * (the number's Durable Object), every send first takes a slot under Meta's limits, and a throttling answer
 * from Meta holds back the contact (131056) or the number (130429) there too.
 */
export async function answerMessage(
  env: Env,
  ctx: ExecutionContext,
  ref: MessageRef,
  now = Date.now(),
  pacer?: Pacer,
): Promise<Outcome> {
  const db = getDb(env.DB);
  if (!(await claim(db, ref, now))) return "busy";
  // Answers run outside the HTTP apps' middleware (cron, webhook's waitUntil): the same rule keeps the operators'
  // catalogue overrides fresh for the model, its capabilities and its price here.
  await catalogueReady(env, ctx);
  const message = (await db.query.whatsappMessages.findFirst({ where: where(ref) }))!;
  try {
    const outcome = await answerClaimed(env, ctx, db, message, now, pacer);
    if (outcome === "failed" && message.phoneNumberId) {
      const settled = await db.query.whatsappMessages.findFirst({ where: where(ref) });
      const phoneNumberId = message.phoneNumberId;
      await alertFailure(env, db, {
        accountId: ref.accountId,
        phoneNumberId,
        error: settled?.error ?? null,
        now,
      });
    }
    return outcome;
  } catch (error) {
    const name = error instanceof Error ? error.name : "error";
    log.error("whatsapp: answering failed", { errorName: name });
    return retryLater(db, refOf(message), message.attempts, `internal_error: ${name}`, now);
  }
}

async function answerClaimed(
  env: Env,
  ctx: ExecutionContext,
  db: Db,
  message: Message,
  now: number,
  pacer?: Pacer,
): Promise<Outcome> {
  const ref = refOf(message);
  const connection = await findConnection(db, ref.accountId, message.phoneNumberId ?? undefined);
  if (!connection) return settle(db, ref, "failed", "disconnected", now);
  // Art. 18: while processing is restricted the message is only stored (its metadata); no reply is made.
  if (await isRestricted(db, ref.accountId)) return settle(db, ref, "skipped", "processing_restricted", now);
  const pending = await db.query.whatsappPending.findFirst({ where: pendingWhere(ref) });
  if (!pending) return settle(db, ref, "failed", "nothing_to_answer", now);
  const closesAt =
    (await windowClosesAt(db, ref.accountId, connection.phoneNumberId, message.contactHash)) ??
    message.sentAt.getTime() + WINDOW_MS;
  // Meta asked us to wait (131056 for this contact, 130429 for the number): the pacer holds the same back.
  const throttledRetry = (failed: Extract<SendResult, { ok: false }>): Promise<Outcome> => {
    const until = now + retryDelayMs(message.attempts, failed.retryAfterMs);
    if (failed.limit === "pair") pacer?.pairThrottled(message.contactHash, until);
    if (failed.limit === "number") pacer?.numberThrottled(until);
    return retryLater(db, ref, message.attempts, failed.error, now, failed.retryAfterMs);
  };
  // The window has closed (ADR 065): the fallback template goes instead, if the number has an approved one.
  const windowClosed = async (
    reason = "outside_24h_window: free-form replies end 24 h after the customer's last message",
  ): Promise<Outcome> => {
    // A template is a send like any other: it takes a slot under Meta's limits first (ADR 064).
    const slot = pacer?.reserve(message.contactHash, now) ?? now;
    if (slot > now) return paceLater(db, ref, slot, now);
    const fallback = await sendFallback(env, db, { connection, message, pending, to, reason, now });
    if (fallback.kind === "sent") return "expired";
    pacer?.release(message.contactHash, now); // nothing reached the contact
    if (fallback.kind === "none") return settle(db, ref, "expired", reason, now);
    const failed = fallback.result;
    if (failed.retryable) return throttledRetry(failed);
    return settle(db, ref, "failed", `fallback_template: ${failed.error}`, now);
  };

  const policy = await loggingPolicy(env, ref.accountId);
  let text = pending.bodySealed
    ? await open(env, ref.accountId, `pending.body|${ref.messageId}`, pending.bodySealed)
    : null;
  const media = pending.mediaSealed
    ? (JSON.parse(
        await open(env, ref.accountId, `pending.media|${ref.messageId}`, pending.mediaSealed),
      ) as NonNullable<Understood["media"]>)
    : null;
  const to = await open(env, ref.accountId, `pending.recipient|${ref.messageId}`, pending.recipientSealed);
  let reply = pending.replySealed
    ? await open(env, ref.accountId, `pending.reply|${ref.messageId}`, pending.replySealed)
    : null;
  if (reply === null) {
    // Opt-out and hand-off come before anything else, the model above all: STOP is never sent to it.
    const key = {
      accountId: ref.accountId,
      phoneNumberId: connection.phoneNumberId,
      contactHash: message.contactHash,
    };
    const gate = await gateMessage(env, db, {
      connection,
      key,
      text,
      to,
      sentAt: message.sentAt.getTime(),
      now,
    });
    if (gate.kind === "hold") {
      if (gate.status === "handed_off" && policy.enabled && text !== null)
        await keepInbound(env, db, { key, message, text, expiresAt: closesAt });
      return settle(db, ref, gate.status, null, now);
    }
    if (now >= closesAt) return windowClosed();
    // Picked up: two blue ticks and "typing…" while the answer is made (once, not on every retry).
    if (message.attempts === 1) {
      const accessToken = await open(env, ref.accountId, "access_token", connection.accessTokenSealed);
      await markRead(getConfig(env), {
        phoneNumberId: connection.phoneNumberId,
        accessToken,
        messageId: message.id,
      });
    }
    if (gate.kind === "reply") {
      reply = gate.text;
    } else {
      const turn = await customerInput(env, ctx, db, {
        connection,
        message,
        text,
        media,
        pending,
        policy,
      });
      if ("outcome" in turn) {
        if (turn.retryable) return retryLater(db, ref, message.attempts, turn.outcome, now);
        return settle(db, ref, "failed", turn.outcome, now);
      }
      if ("noCredit" in turn) return settle(db, ref, "no_credit", NO_CREDIT, now);
      if ("fixedReply" in turn) {
        reply = turn.fixedReply;
      } else {
        // A voice note's transcript is what the customer said: kept as context like a text (logging on only).
        if (turn.transcript !== undefined) text = `${VOICE_NOTE_HEARD}\n${turn.transcript}`;
        const composed = await compose(env, ctx, db, {
          connection,
          message,
          turn: turn.content,
          policy,
          now,
        });
        if ("outcome" in composed) return composed.outcome;
        reply = composed.reply;
        if (composed.handOff) {
          const sentAt = message.sentAt.getTime();
          if (await pause(env, db, key, { by: "model", recipient: to, sentAt, now }))
            await announceHandOff(env, db, { connection, key, by: "model", now });
          reply ||= HAND_OFF_REPLY;
        }
      }
    }
    const replySealed = await seal(env, ref.accountId, `pending.reply|${ref.messageId}`, reply);
    await db.update(whatsappPending).set({ replySealed }).where(pendingWhere(ref));
  } else if (now >= closesAt) {
    return windowClosed();
  }

  const accessToken = await open(env, ref.accountId, "access_token", connection.accessTokenSealed);
  // A long reply goes as several messages, cut at paragraphs or sentences. After each part but the last,
  // the sealed reply becomes what is left, so a retry sends only what the customer has not got yet.
  const parts = splitReply(reply);
  let sent: SendResult = { ok: false, retryable: false, windowClosed: false, error: "empty_reply" };
  for (const [i, part] of parts.entries()) {
    const slot = pacer?.reserve(message.contactHash, now) ?? now;
    if (slot > now) return paceLater(db, ref, slot, now);
    sent = await sendText(getConfig(env), {
      phoneNumberId: connection.phoneNumberId,
      accessToken,
      to,
      text: part,
    });
    if (!sent.ok) break;
    if (i < parts.length - 1) {
      const rest = parts.slice(i + 1).join("\n\n");
      await recordPart(env, db, message, connection.phoneNumberId, sent.messageId, rest, now);
    }
  }
  if (!sent.ok) {
    if (parts.length) pacer?.release(message.contactHash, now); // refused: nothing reached the contact
    if (sent.windowClosed) return windowClosed(`outside_24h_window: ${sent.error}`);
    if (sent.retryable) return throttledRetry(sent);
    return settle(db, ref, "failed", sent.error, now);
  }
  await recordReply(db, message, connection.phoneNumberId, sent.messageId, now);
  if (policy.enabled && text !== null) {
    const replyId = sent.messageId;
    await keepContent(env, db, { connection, message, text, reply, replyId, closesAt, now });
  }
  return "replied";
}

/** What answering does with the customer's message: ask the model with this turn, send a fixed reply, or stop. */
type Input =
  | { content: ChatContent | null; transcript?: string }
  | { fixedReply: string }
  | { noCredit: true }
  | { outcome: string; retryable: boolean };

/**
 * The customer's turn for the model: their words, the text they quoted (when we still have it: context is
 * kept only with logging on), the image or document fetched from Graph into memory, or the voice note's
 * transcript. Null content: there is nothing to read (the fixed polite reply goes). A media download that may
 * work later is a retry; a voice note that cannot be transcribed gets a fixed reply asking for text.
 */
async function customerInput(
  env: Env,
  ctx: ExecutionContext,
  db: Db,
  input: {
    connection: Connection;
    message: Message;
    text: string | null;
    media: Understood["media"];
    pending: typeof whatsappPending.$inferSelect;
    policy: LoggingPolicy;
  },
): Promise<Input> {
  const { connection, message, text, media, pending } = input;
  if (text === null && media === null) return { content: null };
  const quoted =
    pending.quotedId && input.policy.enabled
      ? await quotedText(env, db, message.accountId, pending.quotedId)
      : null;
  let attachment: Attachment | null = null;
  let transcript: string | undefined;
  if (media) {
    const accessToken = await open(env, message.accountId, "access_token", connection.accessTokenSealed);
    if (media.kind === "audio") {
      const heard = await hearVoiceNote(env, ctx, {
        accountId: message.accountId,
        contactHash: message.contactHash,
        mediaId: media.id,
        accessToken,
      });
      if (!heard.ok && heard.reason === "retry") return { outcome: heard.error, retryable: true };
      if (!heard.ok && heard.reason === "no_credit") return { noCredit: true };
      if (!heard.ok && heard.reason === "failed") {
        log.warn("whatsapp: voice note not transcribed", { code: heard.error });
        return { fixedReply: VOICE_FALLBACK_REPLY };
      }
      if (heard.ok) transcript = heard.transcript;
      attachment = heard.ok
        ? { kind: "voice", transcript: heard.transcript }
        : { kind: "unreadable", note: VOICE_NOTE };
    } else {
      const fetched = await fetchMedia(getConfig(env), { mediaId: media.id, accessToken });
      if (!fetched.ok && fetched.retryable) return { outcome: fetched.error, retryable: true };
      attachment = fetched.ok
        ? media.kind === "image"
          ? { kind: "image", bytes: fetched.bytes, mimeType: fetched.mimeType }
          : { kind: "document", bytes: fetched.bytes, mimeType: fetched.mimeType, filename: media.filename }
        : {
            kind: "unreadable",
            note: `(The customer sent ${media.kind === "image" ? "an image" : "a document"} that could not be downloaded.)`,
          };
    }
  }
  const vision = findModel(getConfig(env), connection.model)?.capabilities.includes("vision") ?? false;
  const content = customerTurn({ text, quoted, attachment, vision });
  return transcript === undefined ? { content } : { content, transcript };
}

/** The text of a message the customer quoted, if it is still kept as context (logging on, window open). */
async function quotedText(env: Env, db: Db, accountId: string, messageId: string): Promise<string | null> {
  const row = await db.query.whatsappContext.findFirst({
    where: and(eq(whatsappContext.accountId, accountId), eq(whatsappContext.messageId, messageId)),
  });
  if (!row) return null;
  return open(env, accountId, `context|${messageId}`, row.bodySealed).catch(() => null);
}

/** The reply's text, or the outcome when there will be none (out of credit, refused) or not yet (retry). */
async function compose(
  env: Env,
  ctx: ExecutionContext,
  db: Db,
  input: {
    connection: Connection;
    message: Message;
    turn: ChatContent | null;
    policy: LoggingPolicy;
    now: number;
  },
): Promise<{ reply: string; handOff?: boolean } | { outcome: Outcome }> {
  const { connection, message, turn, policy, now } = input;
  const ref = refOf(message);
  if (turn === null) return { reply: NON_TEXT_REPLY };
  if (!policy.enabled) await forgetContext(db, ref.accountId);
  const conversation = { ...ref, phoneNumberId: connection.phoneNumberId, contactHash: message.contactHash };
  const history = policy.enabled ? await loadContext(env, db, conversation, now) : [];
  const system = connection.systemPrompt.trim()
    ? [{ role: "system" as const, content: connection.systemPrompt }]
    : [];
  try {
    // The message names the model call that answers it (its request-log row), before the call is made.
    const requestId = newRequestId();
    await db.update(whatsappMessages).set({ requestId }).where(where(ref));
    const result = await askModel(env, ctx, {
      accountId: ref.accountId,
      model: connection.model,
      messages: [...system, ...history, { role: "user", content: turn }],
      maxTokens: MAX_REPLY_TOKENS,
      contactHash: message.contactHash,
      requestId,
    });
    if (result.handOff) return { reply: result.text, handOff: true };
    if (result.text) return { reply: result.text };
    return { outcome: await settle(db, ref, "failed", "empty_reply: the model returned no text", now) };
  } catch (error) {
    const e = toAppError(error);
    if (e.status === 402) return { outcome: await settle(db, ref, "no_credit", NO_CREDIT, now) };
    const reason = `ai_error: HTTP ${e.status}${e.options.code ? ` (${e.options.code})` : ""}`;
    if (e.status === 429 || e.status >= 500) {
      return { outcome: await retryLater(db, ref, message.attempts, reason, now) };
    }
    return { outcome: await settle(db, ref, "failed", reason, now) };
  }
}

/** One part of a long reply went: its outbound row, and the sealed reply now holds only the rest. */
async function recordPart(
  env: Env,
  db: Db,
  message: Message,
  phoneNumberId: string,
  partId: string,
  rest: string,
  now: number,
): Promise<void> {
  const ref = refOf(message);
  const at = new Date(now);
  const replySealed = await seal(env, ref.accountId, `pending.reply|${ref.messageId}`, rest);
  await db.batch([
    sentRow(db, message, phoneNumberId, partId, at, TEXT),
    db.update(whatsappPending).set({ replySealed }).where(pendingWhere(ref)),
  ]);
}

/** Sent: one outbound row, the inbound one settled, the pending pieces gone — together. */
async function recordReply(
  db: Db,
  message: Message,
  phoneNumberId: string,
  replyId: string,
  now: number,
): Promise<void> {
  const ref = refOf(message);
  const at = new Date(now);
  await db.batch([
    sentRow(db, message, phoneNumberId, replyId, at, TEXT),
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
      .set({ lastReplyAt: at, failureAlertedAt: null })
      .where(eq(whatsappConnections.phoneNumberId, phoneNumberId)),
  ]);
}

/**
 * Content logging is on: the exchange stays as sealed context until the window ends. (The logged copy under the
 * retention rules is written by the gateway itself, with source "whatsapp", like every AI request.)
 */
async function keepContent(
  env: Env,
  db: Db,
  input: {
    connection: Connection;
    message: Message;
    text: string;
    reply: string;
    replyId: string;
    closesAt: number;
    now: number;
  },
): Promise<void> {
  const { message, text, reply, now } = input;
  try {
    await keepExchange(env, db, {
      accountId: message.accountId,
      phoneNumberId: input.connection.phoneNumberId,
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
