// Personal data breaches (GDPR Arts. 33/34): each incident and each step taken on it, append-only
// (triggers refuse UPDATE and DELETE), so the record of what was known and done when cannot be rewritten.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const incidents = sqliteTable("incidents", {
  id: text("id").primaryKey(),
  title: text("title").notNull(),
  /** When we became aware of it: the 72-hour clock starts here. */
  detectedAt: integer("detected_at", { mode: "timestamp_ms" }).notNull(),
  /** The authority notice is due by then (detected + 72 h). */
  dueAt: integer("due_at", { mode: "timestamp_ms" }).notNull(),
  /** What happened, as known when recorded (no customer data). */
  description: text("description").notNull(),
  /** JSON array of data holder names whose data is concerned. */
  holders: text("holders").notNull(),
  recordedAt: integer("recorded_at", { mode: "timestamp_ms" }).notNull(),
  recordedBy: text("recorded_by").notNull(),
});

export const incidentSteps = ["authority_notified", "customers_notified", "closed"] as const;

export const incidentEvents = sqliteTable(
  "incident_events",
  {
    id: text("id").primaryKey(),
    incidentId: text("incident_id")
      .notNull()
      .references(() => incidents.id),
    step: text("step", { enum: incidentSteps }).notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    operatorEmail: text("operator_email").notNull(),
    /** JSON: counts and references, never customers' addresses. */
    detail: text("detail"),
  },
  (t) => [index("incident_events_incident_idx").on(t.incidentId, t.at)],
);
