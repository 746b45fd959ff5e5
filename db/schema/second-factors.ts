// Second factors: an authenticator app (TOTP), passkeys (WebAuthn), single-use recovery codes, and the short-lived
// challenges a login waiting for its second factor (or a passkey being added) holds.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts } from "./accounts";

export const totpFactors = sqliteTable("totp_factors", {
  accountId: text("account_id")
    .primaryKey()
    .references(() => accounts.id, { onDelete: "cascade" }),
  /** The shared secret, AES-GCM under the account's data key (erasing the account shreds it). */
  secretSealed: text("secret_sealed").notNull(),
  /** Null while the holder has not yet proven the app by a code: until then it is not a second factor. */
  confirmedAt: integer("confirmed_at", { mode: "timestamp_ms" }),
  /** The highest time step a code was accepted for: each code works once. */
  lastStep: integer("last_step").notNull().default(0),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

export const passkeys = sqliteTable(
  "passkeys",
  {
    /** The credential id the authenticator chose (base64url). */
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** COSE public key (base64url): public, but only this account's logins check against it. */
    publicKey: text("public_key").notNull(),
    counter: integer("counter").notNull().default(0),
    /** JSON array of the transports the authenticator named (usb, internal, hybrid…), a hint for the browser. */
    transports: text("transports"),
    name: text("name").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("passkeys_account_idx").on(t.accountId)],
);

export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** SHA-256 of (account, code): an 80-bit code needs no slow hash, and the code itself is never stored. */
    codeHash: text("code_hash").notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.codeHash] })],
);

export const authChallenges = sqliteTable(
  "auth_challenges",
  {
    /** SHA-256 of the pending-login cookie, or "<purpose>:" + the hash of the session it is for. */
    idHash: text("id_hash").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["login", "passkey_registration", "reauth"] }).notNull(),
    /** The WebAuthn challenge last handed out for it (base64url), single use. */
    challenge: text("challenge"),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("auth_challenges_account_idx").on(t.accountId)],
);
