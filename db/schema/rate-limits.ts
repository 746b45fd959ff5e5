// Throttling: fixed-window counters (signup, resends) and failed-attempt counters with growing delays (login, re-checks).
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const rateLimits = sqliteTable("rate_limits", {
  bucket: text("bucket").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
});

/** Failed-attempt counters with growing delays (login, password re-checks); see worker/security/auth-throttle.ts. */
export const authThrottles = sqliteTable("auth_throttles", {
  bucket: text("bucket").primaryKey(),
  failures: integer("failures").notNull(),
  lastFailureAt: integer("last_failure_at", { mode: "timestamp_ms" }).notNull(),
  blockedUntil: integer("blocked_until", { mode: "timestamp_ms" }).notNull(),
});
