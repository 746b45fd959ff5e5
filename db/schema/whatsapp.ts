// WhatsApp Business: the connected number, message metadata, and the short-lived encrypted pieces a reply needs.
// No phone number is ever stored in clear: contacts appear only as a keyed hash.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts } from "./accounts";

/**
 * A connected WhatsApp Business number, keyed by Meta's phone number id (one account may connect several, each
 * with its own model and prompt); secrets sealed, the verify token only as a keyed hash.
 */
export const whatsappConnections = sqliteTable(
  "whatsapp_connections",
  {
    phoneNumberId: text("phone_number_id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    wabaId: text("waba_id").notNull(),
    accessTokenSealed: text("access_token_sealed").notNull(),
    appSecretSealed: text("app_secret_sealed").notNull(),
    verifyTokenHash: text("verify_token_hash").notNull(),
    model: text("model").notNull(),
    systemPrompt: text("system_prompt").notNull().default(""),
    /** What to do with images, audio, stickers…: answer with a fixed polite text, or nothing. */
    nonTextMessages: text("non_text_messages", { enum: ["reply", "skip"] })
      .notNull()
      .default("reply"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    lastReceivedAt: integer("last_received_at", { mode: "timestamp_ms" }),
    lastReplyAt: integer("last_reply_at", { mode: "timestamp_ms" }),
    lastErrorAt: integer("last_error_at", { mode: "timestamp_ms" }),
    /** A code and a short reason (never message content). */
    lastError: text("last_error"),
    /** Words that opt a contact out and back in, and ask for a person (JSON arrays; null: the defaults). */
    stopKeywords: text("stop_keywords", { mode: "json" }).$type<string[]>(),
    startKeywords: text("start_keywords", { mode: "json" }).$type<string[]>(),
    handOffKeywords: text("hand_off_keywords", { mode: "json" }).$type<string[]>(),
    /** Where hand-offs are also announced (optional), and the secret they are signed with, sealed. */
    handOffWebhookUrl: text("hand_off_webhook_url"),
    handOffWebhookSecretSealed: text("hand_off_webhook_secret_sealed"),
    /** Set when the business was told of a failed delivery; cleared by the next delivered reply (one alert a streak). */
    failureAlertedAt: integer("failure_alerted_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("whatsapp_connections_verify_idx").on(t.verifyTokenHash),
    index("whatsapp_connections_account_idx").on(t.accountId, t.createdAt),
  ],
);

/**
 * Metadata of every message in and out: ids, times, direction, status — never the body or the number.
 * Inbound status: pending → processing → replied | skipped | expired | no_credit | failed.
 * Outbound status: accepted → sent → delivered → read, or failed.
 */
export const whatsappMessages = sqliteTable(
  "whatsapp_messages",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** Meta's message id (wamid). */
    id: text("id").notNull(),
    /** The business number it was sent to (inbound) or from (outbound). */
    phoneNumberId: text("phone_number_id"),
    direction: text("direction", { enum: ["in", "out"] }).notNull(),
    type: text("type").notNull(),
    /** HMAC of the customer's number under a key derived from MASTER_KEY, per account. */
    contactHash: text("contact_hash").notNull(),
    status: text("status").notNull(),
    /** When the customer sent it (inbound, Meta's timestamp) or when we sent it (outbound). */
    sentAt: integer("sent_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }),
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    /** Inbound: our reply's id. Outbound: the message it answers. */
    relatedId: text("related_id"),
    error: text("error"),
    /** Inbound: the id of the model call that answered it (its request-log row), so a contact's data can be found. */
    requestId: text("request_id"),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.id] }),
    index("whatsapp_messages_contact_idx").on(t.accountId, t.contactHash, t.direction, t.sentAt),
    index("whatsapp_messages_number_idx").on(t.accountId, t.phoneNumberId, t.createdAt),
    index("whatsapp_messages_due_idx").on(t.status, t.nextAttemptAt),
    index("whatsapp_messages_created_idx").on(t.accountId, t.createdAt),
  ],
);

/**
 * What an unanswered inbound message still needs (the number to reply to, its text, the AI's reply once
 * made), sealed, and deleted the moment the message is settled — at the latest when its 24-hour window ends.
 */
export const whatsappPending = sqliteTable(
  "whatsapp_pending",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    /** The contact's keyed hash (as on the metadata row), so a contact's data can be found and erased. */
    contactHash: text("contact_hash"),
    recipientSealed: text("recipient_sealed").notNull(),
    bodySealed: text("body_sealed"),
    replySealed: text("reply_sealed"),
    /** The image, document or voice note to fetch from Graph (its media id and type), sealed. */
    mediaSealed: text("media_sealed"),
    /** The wamid the customer quoted (an id, like the metadata's), so the quoted text can join the prompt. */
    quotedId: text("quoted_id"),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.messageId] }),
    index("whatsapp_pending_expires_idx").on(t.expiresAt),
    index("whatsapp_pending_contact_idx").on(t.accountId, t.contactHash),
  ],
);

/** Conversation context for better replies: only with content logging on, sealed, gone when the window ends. */
export const whatsappContext = sqliteTable(
  "whatsapp_context",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    /** The business number of the conversation: context is per number and contact. */
    phoneNumberId: text("phone_number_id"),
    contactHash: text("contact_hash").notNull(),
    role: text("role", { enum: ["user", "assistant"] }).notNull(),
    bodySealed: text("body_sealed").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.messageId] }),
    index("whatsapp_context_contact_idx").on(t.accountId, t.contactHash, t.createdAt),
    index("whatsapp_context_expires_idx").on(t.expiresAt),
  ],
);

/**
 * What a business number knows about one contact beyond single messages: whether they opted out (STOP), and
 * whether the AI is paused for them because a person took over (hand-off). Keyed by the contact's keyed
 * hash; the number itself only sealed, and only while a person may still answer within the window.
 */
export const whatsappContacts = sqliteTable(
  "whatsapp_contacts",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    phoneNumberId: text("phone_number_id").notNull(),
    contactHash: text("contact_hash").notNull(),
    /** Set by a stop keyword, cleared by a start keyword: nothing is sent to the model or the contact. */
    optedOutAt: integer("opted_out_at", { mode: "timestamp_ms" }),
    /** Set when a person took over (a keyword, the model's hand-off tool); cleared when the bot resumes. */
    pausedAt: integer("paused_at", { mode: "timestamp_ms" }),
    pausedBy: text("paused_by", { enum: ["keyword", "model"] }),
    /** The contact's number, sealed, so a person can reply from the inbox; cleared when the window closes. */
    recipientSealed: text("recipient_sealed"),
    /** When the contact's latest message arrived while paused, and when the window for replying to it closes. */
    lastInboundAt: integer("last_inbound_at", { mode: "timestamp_ms" }),
    replyUntil: integer("reply_until", { mode: "timestamp_ms" }),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.phoneNumberId, t.contactHash] }),
    index("whatsapp_contacts_account_idx").on(t.accountId, t.pausedAt),
    index("whatsapp_contacts_reply_idx").on(t.replyUntil),
  ],
);

/**
 * A contact's data erased at the business's request (the "Contact data" page): the erased contact's hash is kept
 * only sealed under the account's data key, so the promise check can look for anything left with it; deleted
 * after 30 days (and with the account).
 */
export const whatsappContactErasures = sqliteTable(
  "whatsapp_contact_erasures",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** The contact's keyed hash, sealed (never in clear: nothing readable with that hash stays). */
    contactHashSealed: text("contact_hash_sealed").notNull(),
    erasedAt: integer("erased_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("whatsapp_contact_erasures_at_idx").on(t.erasedAt)],
);
