// Processor paperwork: DPA acceptances (append-only, like consent) and the subprocessor lists as published.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts } from "./accounts";

/** One row per acceptance of a DPA version; never updated (a trigger refuses), erased with the account. */
export const dpaAcceptances = sqliteTable(
  "dpa_acceptances",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** The DPA version accepted: the SHA-256 (hex) of its generated text. */
    version: text("version").notNull(),
    /** The verified email address of who accepted, as it was then. */
    acceptedBy: text("accepted_by").notNull(),
    channel: text("channel", { enum: ["dashboard"] }).notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("dpa_acceptances_account_idx").on(t.accountId, t.at)],
);

/** Each distinct subprocessor list the configuration produced, when it was first seen and when it takes effect. */
export const subprocessorLists = sqliteTable("subprocessor_lists", {
  /** SHA-256 (hex) of the list's canonical JSON. */
  version: text("version").primaryKey(),
  list: text("list").notNull(),
  recordedAt: integer("recorded_at", { mode: "timestamp_ms" }).notNull(),
  effectiveAt: integer("effective_at", { mode: "timestamp_ms" }).notNull(),
});
