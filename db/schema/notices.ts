// Notices: the outbox every notice passes through, and the dev mailbox where the local transport puts them.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const notices = sqliteTable(
  "notices",
  {
    id: text("id").primaryKey(),
    /** Null for notices to operators or to an address that has no account yet (email change). */
    accountId: text("account_id"),
    to: text("to").notNull(),
    kind: text("kind").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("notices_account_idx").on(t.accountId), index("notices_created_idx").on(t.createdAt)],
);

/**
 * The outbox: every notice is written here first (in every mode), then delivered by the configured
 * transport; a failed delivery stays and is retried by the cron until it goes. The id is the provider's
 * idempotency key. Once sent, only the id and the time are kept (so a repeated send of the same id is a
 * no-op), and that husk is purged after a week.
 */
export const noticeOutbox = sqliteTable(
  "notice_outbox",
  {
    id: text("id").primaryKey(),
    /** The account it concerns (erased with it); null once sent, and for notices to no account. */
    accountId: text("account_id"),
    /** Emptied once sent. */
    to: text("to").notNull(),
    kind: text("kind").notNull(),
    subject: text("subject").notNull(),
    /** The full text, footer included; emptied once sent. */
    text: text("text").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    /** Delivery attempts started (the current one included). */
    attempts: integer("attempts").notNull().default(0),
    /** When the cron may try again if this attempt does not finish. */
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }).notNull(),
    /** Held by an attempt in flight until then (0: free). */
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }).notNull(),
    /** Why the last attempt failed: a status code or an error name, never content. */
    lastError: text("last_error"),
    sentAt: integer("sent_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("notice_outbox_due_idx").on(t.sentAt, t.nextAttemptAt),
    index("notice_outbox_account_idx").on(t.accountId),
  ],
);
