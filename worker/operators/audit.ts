// The operator audit: every action an operator takes (recording or denying a privacy request, resending a
// link, running the training export) is one append-only row, written here and shown on /admin.
import { desc } from "drizzle-orm";
import { operatorAudit } from "../../db/schema";
import type { Db } from "../env";

/** Who acted: the operator's account and the verified address that makes them one. */
export type Operator = { accountId: string; email: string };

export type OperatorAction = {
  /** Dotted name, e.g. "privacy.request.recorded", "privacy.request.denied", "training.export". */
  action: string;
  /** The record acted on (a privacy request id, …), if any. */
  target?: string | null;
  /** Kinds, counts and states; never content, secrets or customers' email addresses. */
  detail?: Record<string, unknown>;
};

/** Appends one row to the operator audit. Call it for every operator action, before or with the action. */
export async function recordOperatorAction(
  db: Db,
  operator: Operator,
  entry: OperatorAction,
  at = new Date(),
): Promise<void> {
  await db.insert(operatorAudit).values({
    id: crypto.randomUUID(),
    at,
    operatorId: operator.accountId,
    operatorEmail: operator.email,
    action: entry.action,
    target: entry.target ?? null,
    detail: entry.detail ? JSON.stringify(entry.detail) : null,
  });
}

export type OperatorAuditRow = {
  id: string;
  at: string;
  operatorEmail: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
};

/** The newest operator actions first, for /admin. */
export async function operatorAuditLog(db: Db, limit = 100): Promise<OperatorAuditRow[]> {
  const rows = await db.select().from(operatorAudit).orderBy(desc(operatorAudit.at)).limit(limit);
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    operatorEmail: r.operatorEmail,
    action: r.action,
    target: r.target,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
  }));
}
