// Customers' own provider keys (bring your own key): sealed under the account's data key, never stored in the
// clear; only a display prefix is readable.
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts } from "./accounts";

export const providerKeys = sqliteTable(
  "provider_keys",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** A provider id of the catalogue ("openai", "anthropic"). */
    provider: text("provider").notNull(),
    /** AES-256-GCM under the account's data key (worker/content/sealed.ts), bound to account and provider. */
    sealedKey: text("sealed_key").notNull(),
    /** The first characters of the key, to tell keys apart; never enough to use it. */
    prefix: text("prefix").notNull(),
    /** When the provider refuses this key, send the request with the platform's key instead (billed at list). */
    allowPlatformFallback: integer("allow_platform_fallback", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.provider] })],
);
