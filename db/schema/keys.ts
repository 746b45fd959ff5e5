// API keys: only a SHA-256 of the secret and a display prefix are stored.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts } from "./accounts";
import { dataPolicies } from "./settings";

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    /** Requests per minute for this key; null = the platform default. */
    rateLimitRpm: integer("rate_limit_rpm"),
    /** After this instant the key is refused (401 key_expired); null = never expires. */
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
    /** Most this key may spend per calendar month (UTC), in micro-dollars; null = no limit beyond the account's credit. */
    monthlySpendLimitMicros: integer("monthly_spend_limit_micros"),
    /** Narrows the account's data policy for this key (both apply); "any" adds nothing to the account's. */
    dataPolicy: text("data_policy", { enum: dataPolicies }).notNull().default("any"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("api_keys_account_idx").on(t.accountId)],
);
