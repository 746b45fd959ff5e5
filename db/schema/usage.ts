// Usage rows: one per AI request — who, which model, how many tokens, what it cost. Never any content.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
    /** The model the client asked for when a fallback answered instead; null when `model` is the one asked for. */
    requestedModel: text("requested_model"),
    provider: text("provider").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    /** Of the input tokens, those read from the provider's prompt cache (billed at the cached-input price). */
    cachedInputTokens: integer("cached_input_tokens").notNull().default(0),
    /** Of the input tokens, those written to the provider's prompt cache (billed at the cache-write price). */
    cacheWriteTokens: integer("cache_write_tokens").notNull().default(0),
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

/** Columns shared by the hourly and daily usage aggregates. */
const aggregateColumns = {
  accountId: text("account_id").notNull(),
  /** The key id, or "source:<name>" for internal callers without a key (as the usage page groups them). */
  key: text("key").notNull(),
  model: text("model").notNull(),
  requests: integer("requests").notNull(),
  errors: integer("errors").notNull(),
  inputTokens: integer("input_tokens").notNull(),
  outputTokens: integer("output_tokens").notNull(),
  /** Of the input tokens, those read from the provider's prompt cache. */
  cachedInputTokens: integer("cached_input_tokens").notNull().default(0),
  /** Of the input tokens, those written to the provider's prompt cache. */
  cacheWriteTokens: integer("cache_write_tokens").notNull().default(0),
  costMicros: integer("cost_micros").notNull(),
  estimatedRequests: integer("estimated_requests").notNull(),
};

/**
 * Usage per account, key, model and hour: kept by a trigger on usage_events (migration 0014), so a row counts
 * exactly once however often a flush is retried. Hours older than the raw retention are rolled into usage_daily.
 */
export const usageHourly = sqliteTable(
  "usage_hourly",
  {
    ...aggregateColumns,
    /** Start of the hour, epoch ms (UTC). */
    hour: integer("hour").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.hour, t.key, t.model] })],
);

/** Usage per account, key, model and UTC day, for what is older than the raw retention (billing and charts). */
export const usageDaily = sqliteTable(
  "usage_daily",
  {
    ...aggregateColumns,
    /** Start of the UTC day, epoch ms. */
    day: integer("day").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.day, t.key, t.model] })],
);

/**
 * Usage batches the replay queue gave up on (ADR 020): what an operator sees on /admin — how many rows and how much
 * they cost, and when — never the rows themselves nor whose they were.
 */
export const usageDeadLetters = sqliteTable("usage_dead_letters", {
  /** The queue message's id. */
  id: text("id").primaryKey(),
  rows: integer("rows").notNull(),
  costMicros: integer("cost_micros").notNull(),
  /** When the batch's first row was metered. */
  firstRowAt: integer("first_row_at", { mode: "timestamp_ms" }).notNull(),
  deadAt: integer("dead_at", { mode: "timestamp_ms" }).notNull(),
});

/** Ids of usage flushes applied to usage_hourly (kept a day): a retried flush adds nothing twice (ADR 090). */
export const usageFlushes = sqliteTable(
  "usage_flushes",
  {
    id: text("id").primaryKey(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("usage_flushes_time_idx").on(t.createdAt)],
);
