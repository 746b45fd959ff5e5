// The privacy trail (table privacy_audit), append-only: every step of every request, by whom, as counts and states — never content.

import { privacyAudit } from "../../db/schema";
import type { Db } from "../env";

export type TrailEntry = {
  requestId: string | null;
  subject: string;
  actor: "subject" | "operator" | "system";
  actorRef?: string | null;
  action: string;
  detail?: Record<string, unknown>;
};

function trailInsert(db: Db, entry: TrailEntry, at = new Date()) {
  return db.insert(privacyAudit).values({
    id: crypto.randomUUID(),
    at,
    requestId: entry.requestId,
    subject: entry.subject,
    actor: entry.actor,
    actorRef: entry.actorRef ?? null,
    action: entry.action,
    detail: entry.detail ? JSON.stringify(entry.detail) : null,
  });
}

export async function recordTrail(db: Db, entry: TrailEntry, at = new Date()): Promise<void> {
  await trailInsert(db, entry, at);
}
