// Accepting a webhook notification: verify its signature per owning account, then record messages (deduped by
// wamid) and status updates durably before acknowledging, so nothing is lost if the Worker stops afterwards.
import { eq } from "drizzle-orm";
import { whatsappConnections, whatsappMessages } from "../../db/schema";
import type { Db } from "../env";
import { AppError, badRequest } from "../errors";
import { log } from "../observability/log";
import { connectionsByNumber, connectionsByWaba, openAppSecret } from "./connection";
import { alertFailure } from "./failure-alert";
import { type Notice, noticeId, noticeRow, noticesOf } from "./number-notices";
import type { Queued } from "./number-object/schedule";
import {
  type InboundMessage,
  messageTime,
  Notification,
  type StatusUpdate,
  updatesByNumber,
} from "./payload";
import { contactHash, seal } from "./sealing";
import { parseSignature, verifySignature } from "./signature";
import { templateStatusChange } from "./templates";
import { readable, understand } from "./understand";
import { WINDOW_MS } from "./window";

/** Message types that never get an answer: a reaction or a system notice is not a question. */
const NEVER_ANSWERED = new Set(["reaction", "system", "ephemeral", "request_welcome"]);
/** Outbound status order; a late "delivered" never overwrites "read". */
const STATUS_RANK: Record<string, number> = { accepted: 0, sent: 1, delivered: 2, read: 3, failed: 4 };
const MAX_NUMBERS_PER_NOTIFICATION = 20;
/** D1 caps statements per batch; a notification can carry up to 1000 updates. */
const STATEMENTS_PER_BATCH = 90;

export type MessageRef = { accountId: string; messageId: string };

/**
 * What happened to a signed, well-formed notification: something new was recorded, all of it was
 * recorded before (Meta redelivers), or nothing in it is ours (an unknown phone number id) or to keep.
 */
export type Accepted = {
  /** The new messages to answer, handed to their number's object (number-object/hand-in.ts). */
  refs: Queued[];
  /** Numbers a template status notice was recorded for: their template lists are read again from Meta. */
  resync?: string[];
  outcome: "applied" | "duplicate" | "ignored";
  reason?: "nothing_to_apply";
};

/** D1 could not take the notification: nothing of the failed batch is kept, and Meta retries it. */
const notRecorded = () =>
  new AppError(503, "The notification could not be recorded now; it will be when Meta retries it.", {
    code: "temporarily_unavailable",
    type: "api_error",
  });

const invalidSignature = () =>
  new AppError(401, "Invalid or missing X-Hub-Signature-256.", { code: "invalid_signature" });

function parseNotification(raw: Uint8Array<ArrayBuffer>): Notification {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw badRequest("Malformed JSON in request body.", undefined, "invalid_json");
  }
  const parsed = Notification.safeParse(json);
  if (!parsed.success)
    throw badRequest("Not a WhatsApp Business webhook notification.", undefined, "invalid_payload");
  return parsed.data;
}

/**
 * Verifies and records one notification. Returns the inbound messages that may need an answer, and the
 * outcome. Throws 401 (nothing recorded) when the signature does not match every connected account it
 * names, and when it names no connected number at all (the same answer, so it tells nobody which are). Every write is idempotent (by
 * wamid, statuses only move forward), so a redelivery after a failed batch records the rest exactly once.
 */
export async function acceptNotification(
  env: Env,
  db: Db,
  raw: Uint8Array<ArrayBuffer>,
  signatureHeader: string | undefined,
  now = Date.now(),
): Promise<Accepted> {
  const digest = parseSignature(signatureHeader);
  if (!digest) throw invalidSignature();
  const notification = parseNotification(raw);
  const byNumber = updatesByNumber(notification);
  if (byNumber.size > MAX_NUMBERS_PER_NOTIFICATION)
    throw badRequest("Too many phone numbers in one notification.");
  const connections = await connectionsByNumber(db, [...byNumber.keys()]);
  // Template, quality and alert notices name a business account: the numbers of it that this signature is theirs.
  const notices = noticesOf(notification);
  const noticed = await signedNumbersOfAccounts(env, db, notices, raw, digest);
  // No secret to check it against: refused exactly like a wrong signature for a connected number, so the
  // answer never tells which phone number ids are connected (Meta redelivers, then gives up).
  if (connections.length === 0 && noticed.length === 0) throw invalidSignature();
  for (const connection of connections) {
    if (!(await verifySignature(await openAppSecret(env, connection), raw, digest))) throw invalidSignature();
  }
  const profiles = profileNames(notification);
  const refs: Queued[] = [];
  const statements: BatchItem[] = [];
  /** The statements whose changes mean something new was recorded (a message row, a status moving). */
  const news = new Set<BatchItem>();
  /** Outbound "failed" statuses: the business is told once per streak when one is recorded. */
  const failures = new Map<BatchItem, { accountId: string; phoneNumberId: string; error: string }>();
  for (const connection of connections) {
    const updates = byNumber.get(connection.phoneNumberId)!;
    for (const message of updates.messages) {
      const profile = profiles.get(`${connection.phoneNumberId}|${message.from}`) ?? null;
      const recorded = await recordInbound(env, db, connection, message, profile, now);
      statements.push(...recorded.statements);
      news.add(recorded.statements.at(-1)!);
      if (recorded.answerable) {
        const { accountId, phoneNumberId } = connection;
        const { contactHash, sentAt } = recorded;
        refs.push({ accountId, phoneNumberId, messageId: message.id, contactHash, sentAt, arrivedAt: now });
      }
    }
    for (const status of updates.statuses) {
      const statement = applyStatus(env, connection.accountId, status, now);
      statements.push(statement);
      news.add(statement);
      if (status.status === "failed") {
        const { accountId, phoneNumberId } = connection;
        failures.set(statement, { accountId, phoneNumberId, error: failedReason(status) });
      }
    }
    if (updates.messages.length > 0) {
      const seen = db
        .update(whatsappConnections)
        .set({ lastReceivedAt: new Date(now) })
        .where(eq(whatsappConnections.phoneNumberId, connection.phoneNumberId));
      statements.push(prepared(env, seen));
    }
  }
  const resync = new Set<string>();
  for (const notice of notices) {
    for (const number of noticed.filter((n) => n.wabaId === notice.wabaId)) {
      if (notice.onlyNumber && notice.onlyNumber !== number.phoneNumberId) continue;
      const recorded = prepared(
        env,
        noticeRow(db, notice, number, await noticeId(notice, number.phoneNumberId), now),
      );
      statements.push(recorded);
      news.add(recorded);
      if (notice.template) {
        statements.push(prepared(env, templateStatusChange(db, number.phoneNumberId, notice.template, now)));
        resync.add(number.phoneNumberId);
      }
    }
  }
  if (news.size === 0) return { refs, outcome: "ignored", reason: "nothing_to_apply" };
  const resyncing = resync.size > 0 ? { resync: [...resync] } : {};
  let changed = 0;
  const failed: { accountId: string; phoneNumberId: string; error: string }[] = [];
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
    const batch = statements.slice(i, i + STATEMENTS_PER_BATCH);
    let results: D1Result[];
    try {
      results = await env.DB.batch(batch);
    } catch (error) {
      log.error("whatsapp notification not recorded", { error });
      throw notRecorded();
    }
    results.forEach((r, j) => {
      if (news.has(batch[j]!)) changed += r.meta.changes ?? 0;
      const failure = failures.get(batch[j]!);
      if (failure && (r.meta.changes ?? 0) > 0) failed.push(failure);
    });
  }
  for (const failure of failed) await alertFailure(env, db, { ...failure, now });
  return { refs, outcome: changed > 0 ? "applied" : "duplicate", ...resyncing };
}

type BatchItem = D1PreparedStatement;

/** A drizzle-built query as a D1 statement, so it can share a batch with hand-written SQL. */
function prepared(env: Env, query: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const { sql: text, params } = query.toSQL();
  return env.DB.prepare(text).bind(...params);
}
type Connection = Awaited<ReturnType<typeof connectionsByNumber>>[number];

/**
 * Two statements: the sealed pending pieces (only if this wamid is new — checked before the metadata row
 * exists), then the metadata row itself (ignored when Meta redelivers a wamid we already have).
 */
async function recordInbound(
  env: Env,
  db: Db,
  connection: Connection,
  message: InboundMessage,
  profileName: string | null,
  now: number,
): Promise<{ statements: BatchItem[]; answerable: boolean; contactHash: string; sentAt: number }> {
  const { accountId } = connection;
  const sentAt = messageTime(message.timestamp, now);
  const understood = understand(message);
  const answerable =
    !NEVER_ANSWERED.has(message.type) && (readable(understood) || connection.nonTextMessages === "reply");
  const status = answerable ? "pending" : "skipped";
  const contact = await contactHash(env, accountId, message.from);
  const metadata = prepared(
    env,
    db
      .insert(whatsappMessages)
      .values({
        accountId,
        id: message.id,
        phoneNumberId: connection.phoneNumberId,
        direction: "in",
        type: message.type,
        contactHash: contact,
        status,
        sentAt,
        createdAt: new Date(now),
        updatedAt: new Date(now),
        nextAttemptAt: answerable ? new Date(now) : null,
      })
      .onConflictDoNothing(),
  );
  const recorded = { answerable, contactHash: contact, sentAt: sentAt.getTime() };
  if (!answerable) return { statements: [metadata], ...recorded };
  const recipient = await seal(env, accountId, `pending.recipient|${message.id}`, message.from);
  const body =
    understood.text !== null
      ? await seal(env, accountId, `pending.body|${message.id}`, understood.text)
      : null;
  const media = understood.media
    ? await seal(env, accountId, `pending.media|${message.id}`, JSON.stringify(understood.media))
    : null;
  const profile = profileName
    ? await seal(env, accountId, `pending.profile|${message.id}`, profileName)
    : null;
  const expiresAt = sentAt.getTime() + WINDOW_MS;
  const pending = env.DB.prepare(
    `INSERT OR IGNORE INTO whatsapp_pending
       (account_id, message_id, contact_hash, recipient_sealed, body_sealed, media_sealed, quoted_id, profile_name_sealed, expires_at)
     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
     WHERE NOT EXISTS (SELECT 1 FROM whatsapp_messages WHERE account_id = ?1 AND id = ?2)`,
  ).bind(accountId, message.id, contact, recipient, body, media, understood.quotedId, profile, expiresAt);
  return { statements: [pending, metadata], ...recorded };
}

const failedReason = (status: StatusUpdate) =>
  `delivery_failed: ${status.errors?.map((e) => `code ${e.code ?? "?"}`).join(", ") || "unknown"}`;

/** A status notification for one of our replies: advance it, never move it backwards. */
function applyStatus(env: Env, accountId: string, status: StatusUpdate, now: number): BatchItem {
  const rank = STATUS_RANK[status.status] ?? -1;
  const error = status.status === "failed" ? failedReason(status) : null;
  return env.DB.prepare(
    `UPDATE whatsapp_messages SET status = ?1, updated_at = ?2, error = coalesce(?3, error)
     WHERE account_id = ?4 AND id = ?5 AND direction = 'out' AND ?6 > (
       CASE status WHEN 'accepted' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3
       WHEN 'failed' THEN 4 ELSE -1 END
     )`,
  ).bind(status.status, now, error, accountId, status.id, rank);
}

/**
 * The connected numbers of the business accounts these notices name whose app secret signed the notification.
 * A business account id is not proven when a number is connected, so one account naming another's cannot
 * block its notices: only the numbers the signature belongs to get them.
 */
async function signedNumbersOfAccounts(
  env: Env,
  db: Db,
  notices: Notice[],
  raw: Uint8Array<ArrayBuffer>,
  digest: string,
): Promise<Connection[]> {
  if (notices.length === 0) return [];
  const candidates = await connectionsByWaba(db, [...new Set(notices.map((n) => n.wabaId))]);
  const signed: Connection[] = [];
  for (const connection of candidates)
    if (await verifySignature(await openAppSecret(env, connection), raw, digest)) signed.push(connection);
  return signed;
}

/** The contacts' WhatsApp profile names, by business number and sender (`value.contacts[].profile.name`). */
function profileNames(notification: Notification): Map<string, string> {
  const names = new Map<string, string>();
  for (const entry of notification.entry)
    for (const change of entry.changes) {
      const number = change.value.metadata?.phone_number_id;
      const contacts = (change.value as { contacts?: unknown }).contacts;
      if (change.field !== "messages" || !number || !Array.isArray(contacts)) continue;
      for (const c of contacts as { wa_id?: unknown; profile?: { name?: unknown } }[]) {
        const name = c?.profile?.name;
        if (typeof c?.wa_id === "string" && typeof name === "string" && name.trim())
          names.set(`${number}|${c.wa_id}`, name.trim().slice(0, 256));
      }
    }
  return names;
}
