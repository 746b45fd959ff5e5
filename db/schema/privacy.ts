// Data-subject requests (access, deletion) with their 30-day clocks, single-use confirmation links,
// the append-only privacy trail (table privacy_audit), and the billing records kept after an account is erased.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const privacyRequestStatuses = [
  "received",
  "verifying",
  "in_progress",
  "completed",
  "denied",
  "canceled",
] as const;
export type PrivacyRequestStatus = (typeof privacyRequestStatuses)[number];
/**
 * access and deletion (Arts. 15, 17, 20); restriction of processing until lifted (Art. 18); a free-text
 * objection to processing on legitimate interests (Art. 21), answered by an operator.
 */
export const privacyRequestTypes = ["access", "deletion", "restriction", "objection"] as const;
export type PrivacyRequestType = (typeof privacyRequestTypes)[number];
/** How a request arrived: from the dashboard or API, or by email (recorded by an operator). */
export const privacyRequestChannels = ["dashboard", "email"] as const;

const ms = (name: string) => integer(name, { mode: "timestamp_ms" });

export const privacyRequests = sqliteTable(
  "privacy_requests",
  {
    id: text("id").primaryKey(),
    /** No foreign key: the row outlives the account (the law wants the record); set to null on erasure. */
    accountId: text("account_id"),
    /** Keyed pseudonym of the account: links the request to its trail without the account id. */
    subject: text("subject").notNull(),
    type: text("type", { enum: privacyRequestTypes }).notNull(),
    channel: text("channel", { enum: privacyRequestChannels }).notNull(),
    status: text("status", { enum: privacyRequestStatuses }).notNull(),
    /**
     * Operator's note for emailed requests (how and when it arrived); an objection's own text. Never shown to
     * other accounts.
     */
    note: text("note"),
    /** Objection: the operator's answer, as the requester is told it. */
    answer: text("answer"),
    receivedAt: ms("received_at").notNull(),
    dueAt: ms("due_at").notNull(),
    verifiedAt: ms("verified_at"),
    startedAt: ms("started_at"),
    completedAt: ms("completed_at"),
    deniedAt: ms("denied_at"),
    canceledAt: ms("canceled_at"),
    updatedAt: ms("updated_at").notNull(),
    denialReason: text("denial_reason"),
    /** Deletion: not executed before this (grace period); cancelable until then. */
    executeAfter: ms("execute_after"),
    /** Human-readable progress of the running job ("erasing usage", counts). */
    progress: text("progress"),
    /** Access: JSON manifest of the encrypted export parts in R2. */
    exportManifest: text("export_manifest"),
    exportExpiresAt: ms("export_expires_at"),
    /** Deletion: the signed receipt (JSON). */
    receipt: text("receipt"),
    /** 0 none, 1 operators told it is nearly due, 2 operators told it is overdue. */
    alertLevel: integer("alert_level").notNull().default(0),
  },
  (t) => [
    index("privacy_requests_account_idx").on(t.accountId, t.receivedAt),
    index("privacy_requests_open_idx").on(t.status, t.dueAt),
    // At most one open deletion per account: a second request returns the open one.
    uniqueIndex("privacy_requests_one_open_deletion")
      .on(t.subject)
      .where(sql`type = 'deletion' AND status IN ('received', 'verifying', 'in_progress')`),
  ],
);

/**
 * What a single-use link does: confirm an emailed request, confirm a new email, cancel a deletion, verify
 * the signup address, revert an email change from the old address ("this wasn't me"), reset a password.
 * For email_change and verify_email, new_email is the address being proven; for email_revert, the address
 * to restore.
 */
export const linkPurposes = [
  "confirm_request",
  "email_change",
  "cancel_deletion",
  "verify_email",
  "email_revert",
  "password_reset",
] as const;

/** Single-use links sent by notice (see linkPurposes). */
export const privacyTokens = sqliteTable(
  "privacy_tokens",
  {
    /** SHA-256 of the token; the token itself is only in the notice. */
    tokenHash: text("token_hash").primaryKey(),
    purpose: text("purpose", { enum: linkPurposes }).notNull(),
    accountId: text("account_id").notNull(),
    requestId: text("request_id"),
    newEmail: text("new_email"),
    expiresAt: ms("expires_at").notNull(),
    usedAt: ms("used_at"),
    createdAt: ms("created_at").notNull(),
    /** The account's security stamp when the link was issued (accounts.security_stamp); null never matches. */
    stamp: text("stamp"),
  },
  (t) => [index("privacy_tokens_account_idx").on(t.accountId)],
);

/** Append-only (triggers refuse UPDATE and DELETE): who did what to which request, as counts, never content. */
export const privacyAudit = sqliteTable(
  "privacy_audit",
  {
    id: text("id").primaryKey(),
    at: ms("at").notNull(),
    requestId: text("request_id"),
    subject: text("subject").notNull(),
    /** "subject" (the account holder), "operator", or "system". */
    actor: text("actor").notNull(),
    /** The operator's account id when actor = operator. */
    actorRef: text("actor_ref"),
    action: text("action").notNull(),
    /** JSON: counts, states, legal bases; never content, email addresses or secrets. */
    detail: text("detail"),
  },
  (t) => [
    index("privacy_audit_subject_idx").on(t.subject, t.at),
    index("privacy_audit_request_idx").on(t.requestId),
  ],
);

/** Invoices and ledger entries kept after erasure for tax law: no email, a random token for the account. */
export const retainedBilling = sqliteTable(
  "retained_billing",
  {
    id: text("id").primaryKey(),
    /** Random per erased account; nothing else links it to the person. */
    token: text("token").notNull(),
    kind: text("kind", { enum: ["invoice", "ledger"] }).notNull(),
    /** The Stripe invoice id or our ledger entry id (Stripe stays the system of record). */
    reference: text("reference").notNull(),
    /** JSON of the kept fields only (number, amounts, currency, status, kind). */
    record: text("record").notNull(),
    issuedAt: ms("issued_at").notNull(),
    legalBasis: text("legal_basis").notNull(),
    retainUntil: ms("retain_until").notNull(),
  },
  (t) => [
    index("retained_billing_until_idx").on(t.retainUntil),
    index("retained_billing_token_idx").on(t.token),
  ],
);
