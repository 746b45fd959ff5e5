// The operator audit: append-only (triggers refuse UPDATE and DELETE), one row per operator action.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const operatorAudit = sqliteTable(
  "operator_audit",
  {
    id: text("id").primaryKey(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    /** The operator's account id and the verified address that made them one at the time. */
    operatorId: text("operator_id").notNull(),
    operatorEmail: text("operator_email").notNull(),
    /** e.g. "privacy.request.recorded", "privacy.request.denied", "training.export". */
    action: text("action").notNull(),
    /** What it acted on (a privacy request id, …); null for actions on no one record. */
    target: text("target"),
    /** JSON: kinds, counts and states; never content, secrets or customers' email addresses. */
    detail: text("detail"),
  },
  (t) => [index("operator_audit_at_idx").on(t.at), index("operator_audit_target_idx").on(t.target)],
);
