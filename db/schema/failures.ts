// Failure counters: how often a dependency failed where the request went on without it (an R2 write
// while capturing content, a mail delivery); names only, never content.
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const failureCounts = sqliteTable("failure_counts", {
  /** e.g. "content_capture", "notice_delivery" */
  name: text("name").primaryKey(),
  count: integer("count").notNull().default(0),
  /** The error name of the latest failure (e.g. "Error", "TimeoutError"), never a message. */
  lastError: text("last_error"),
  lastAt: integer("last_at", { mode: "timestamp_ms" }).notNull(),
});
