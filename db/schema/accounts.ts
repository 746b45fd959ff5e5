// Accounts and their browser sessions.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name"),
  passwordHash: text("password_hash").notNull(),
  passwordSalt: text("password_salt").notNull(),
  passwordIterations: integer("password_iterations").notNull(),
  /** When the current email was proven by a link sent to it; null until then (never an operator). */
  emailVerifiedAt: integer("email_verified_at", { mode: "timestamp_ms" }),
  /**
   * Rotated by every change of who holds the account (an address proven, a password changed or reset, an
   * email changed): a mailed link carries the stamp it was issued under and dies when it no longer matches.
   */
  securityStamp: text("security_stamp").notNull().default(""),
  /** active → deleting (tombstoned: keys and sessions refused) → row erased. */
  status: text("status", { enum: ["active", "deleting"] })
    .notNull()
    .default("active"),
  /**
   * Processing restricted at the holder's request (GDPR Art. 18) since this time; null when not. While set the
   * data is only stored: API keys are refused (403 processing_restricted), WhatsApp replies pause, the
   * training export leaves the account out.
   */
  restrictedAt: integer("restricted_at", { mode: "timestamp_ms" }),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  /**
   * The sequence number of the last usage flush the account's object applied to D1's hourly aggregates (ADR 090):
   * a flush applies only while its number is above this, so a retried one adds nothing twice, in one row per
   * account instead of one row per flush.
   */
  usageFlushedSeq: integer("usage_flushed_seq").notNull().default(0),
  /** The same for the object's credit flushes into the ledger (ADR 040). */
  creditFlushedSeq: integer("credit_flushed_seq").notNull().default(0),
});

export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 of the cookie value; the value itself is never stored. */
    idHash: text("id_hash").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    /** Last re-entry of the password on this session (sudo mode); signing up or logging in does not set it. */
    reauthAt: integer("reauth_at", { mode: "timestamp_ms" }),
    /** The browser's User-Agent at login, cut to 256 characters: shown so the holder can tell sessions apart. */
    userAgent: text("user_agent"),
    /** Approximate place at login ("city, country") as Cloudflare reported it; null when it did not. */
    place: text("place"),
  },
  (t) => [index("sessions_account_idx").on(t.accountId)],
);
