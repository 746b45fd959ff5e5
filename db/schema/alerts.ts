// Operator alerts on the metrics (ADR 091): each alert's last state, so the operator is mailed once when it
// starts firing (the promise report's once-per-transition rule). Names and numbers only, never an account.
import { integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const alertStates = ["ok", "firing"] as const;
export type AlertState = (typeof alertStates)[number];

export const operatorAlerts = sqliteTable("operator_alerts", {
  /** "error_rate", "metering_lag", "dead_letters" */
  id: text("id").primaryKey(),
  state: text("state", { enum: alertStates }).notNull(),
  /** The value measured at the last run, and the threshold it was held against. */
  value: real("value").notNull(),
  threshold: real("threshold").notNull(),
  ranAt: integer("ran_at", { mode: "timestamp_ms" }).notNull(),
  /** When the state last changed (the mail goes out when it turns firing). */
  changedAt: integer("changed_at", { mode: "timestamp_ms" }).notNull(),
});
