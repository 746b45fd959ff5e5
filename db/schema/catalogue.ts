// Operators' changes to the model catalogue without a deploy: one append-only row per change, each a complete
// statement of one model's overrides from its effective time on (null: the shipped catalogue.json's value).
// Who saved it is in the operator audit (target: the model id), so this table holds no personal data.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const catalogueOverrides = sqliteTable(
  "catalogue_overrides",
  {
    /** Increasing: of two rows for a model with the same effective time, the later saved wins. */
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** "provider/model": a shipped served model, or a new one for a provider of the catalogue. */
    modelId: text("model_id").notNull(),
    /** From when the row applies (requests started at or after it); at least a minute after it was saved. */
    effectiveAt: integer("effective_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    /** Off for customers: not listed, not callable (404 model_not_found). */
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    kind: text("kind", { enum: ["chat", "embedding", "transcription"] }),
    upstream: text("upstream"),
    contextTokens: integer("context_tokens"),
    maxOutputTokens: integer("max_output_tokens"),
    /** JSON array of capabilities ("tools", "vision", "structured_output", "reasoning"). */
    capabilities: text("capabilities"),
    /** USD per 1M tokens as decimal strings, like catalogue.json's. */
    priceInput: text("price_input"),
    priceOutput: text("price_output"),
    priceCachedInput: text("price_cached_input"),
    priceCacheWrite: text("price_cache_write"),
  },
  (t) => [index("catalogue_overrides_model_idx").on(t.modelId, t.effectiveAt)],
);
