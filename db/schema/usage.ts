// Usage rows: one per AI request — who, which model, how many tokens, what it cost. Never any content.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const usageEvents = sqliteTable(
  "usage_events",
  {
    /** Minted by the proxy before the row is buffered, so re-flushing a batch never duplicates it. */
    id: text("id").primaryKey(),
    /** No foreign key: rows arrive in batches after the request, and account deletion erases them itself. */
    accountId: text("account_id").notNull(),
    /** Null for internal callers (e.g. WhatsApp), which have no API key. */
    keyId: text("key_id"),
    /** "api" or the internal capability that asked (e.g. "whatsapp"). */
    source: text("source").notNull(),
    /** "chat.completions", "messages" or "embeddings". */
    endpoint: text("endpoint").notNull(),
    model: text("model").notNull(),
    provider: text("provider").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    /** Integer micro-units of USD, priced from the catalogue at request time. */
    costMicros: integer("cost_micros").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    /** The HTTP status the client received (or would have, for internal callers). */
    status: integer("status").notNull(),
    streamed: integer("streamed", { mode: "boolean" }).notNull(),
    /** True when the upstream sent no usage (stream cut short) and tokens were estimated from what was delivered. */
    estimated: integer("estimated", { mode: "boolean" }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("usage_events_account_time_idx").on(t.accountId, t.createdAt)],
);
