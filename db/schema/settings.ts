// Privacy settings per account (content logging, retention, training consent, notices) and the
// append-only history of every change to a consent switch.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts } from "./accounts";

/**
 * Which providers may receive an account's (or a key's) requests, by the data policy each provider publishes
 * (worker/ai/data-policy/rules.ts says what each one requires).
 */
export const dataPolicies = ["any", "no_training", "zero_retention", "eu_only"] as const;

/** One row per account that ever changed a setting; no row means the policy's defaults. */
export const privacySettings = sqliteTable("privacy_settings", {
  accountId: text("account_id")
    .primaryKey()
    .references(() => accounts.id, { onDelete: "cascade" }),
  contentLogging: integer("content_logging", { mode: "boolean" }).notNull(),
  retentionDays: integer("retention_days").notNull(),
  trainingConsent: integer("training_consent", { mode: "boolean" }).notNull(),
  notices: integer("notices", { mode: "boolean" }).notNull(),
  /** Which providers may receive the account's requests (its keys may narrow it further). */
  dataPolicy: text("data_policy", { enum: dataPolicies }).notNull().default("any"),
  /** Fingerprint of the MASTER_KEY that wraps this account's data key (no secret); drives re-wrapping. */
  dataKeyKek: text("data_key_kek"),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

/** The consent switches whose every change is recorded (consent to training, and the objection switches). */
export const consentSettings = ["trainingConsent", "contentLogging", "notices"] as const;
/**
 * Where a change was made; "reset" is no choice of the holder's: the settings went back to the defaults when
 * the address was first proven (whatever an unproven holder chose is discarded, worker/accounts/ownership.ts).
 */
export const consentChannels = ["api", "dashboard", "reset"] as const;

/**
 * Append-only: rows are inserted in the same transaction as the change they record and never updated
 * (a trigger refuses updates). They go only when the account itself is erased.
 */
export const consentEvents = sqliteTable(
  "consent_events",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    setting: text("setting", { enum: consentSettings }).notNull(),
    oldValue: integer("old_value", { mode: "boolean" }).notNull(),
    newValue: integer("new_value", { mode: "boolean" }).notNull(),
    policyVersion: text("policy_version").notNull(),
    /** SHA-256 (hex) of the wording the person saw (worker/settings/consent-wording.ts); null before it was kept. */
    wordingHash: text("wording_hash"),
    channel: text("channel", { enum: consentChannels }).notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    /** Orders events recorded in the same millisecond. */
    seq: integer("seq").notNull(),
  },
  (t) => [index("consent_events_account_idx").on(t.accountId, t.setting, t.at)],
);
