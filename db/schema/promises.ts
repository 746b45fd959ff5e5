// The promise report's checks: the latest result of each check the cron runs against a policy
// promise (P1–P12), with its evidence — counts, prefixes, config values, never customer data.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const promiseCheckStatuses = ["kept", "at_risk", "broken"] as const;
export type PromiseCheckStatus = (typeof promiseCheckStatuses)[number];

export const promiseChecks = sqliteTable(
  "promise_checks",
  {
    /** Stable id of the check ("p5.retention_age"). */
    id: text("id").primaryKey(),
    /** The promise it audits ("P5"). */
    promise: text("promise").notNull(),
    status: text("status", { enum: promiseCheckStatuses }).notNull(),
    /** JSON: what was looked at and what was found (counts, prefixes, config values, request ids). */
    evidence: text("evidence").notNull(),
    ranAt: integer("ran_at", { mode: "timestamp_ms" }).notNull(),
    /** When the status last changed (operators are told when a check turns broken). */
    changedAt: integer("changed_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("promise_checks_promise_idx").on(t.promise)],
);
