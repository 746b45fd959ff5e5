// The dev mailbox: notices stored by the local mail transport (MAIL_TRANSPORT=local) instead of being mailed.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const notices = sqliteTable(
  "notices",
  {
    id: text("id").primaryKey(),
    /** Null for notices to operators or to an address that has no account yet (email change). */
    accountId: text("account_id"),
    to: text("to").notNull(),
    kind: text("kind").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("notices_account_idx").on(t.accountId), index("notices_created_idx").on(t.createdAt)],
);
