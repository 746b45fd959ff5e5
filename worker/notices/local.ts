// The local transport: notices land in D1 and show on the dev mailbox page instead of being mailed.
// Idempotent by notice id, like the real provider: a retried delivery shows once.
import { notices } from "../../db/schema";
import type { Db } from "../env";
import type { NoticeTransport, OutgoingNotice } from "./notice";

export function localTransport(db: Db): NoticeTransport {
  return {
    async deliver(notice: OutgoingNotice) {
      await db
        .insert(notices)
        .values({
          id: notice.id,
          accountId: notice.accountId ?? null,
          to: notice.to,
          kind: notice.kind,
          subject: notice.subject,
          text: notice.text,
          createdAt: notice.createdAt,
        })
        .onConflictDoNothing();
    },
  };
}
