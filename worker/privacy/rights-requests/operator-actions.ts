// What operators do to one request from /admin: see its detail (timeline and audit), deny it with a
// reason, or re-send the confirmation link. Each action is in the privacy trail and the operator audit.
import { and, eq, inArray } from "drizzle-orm";
import { accounts, privacyRequests } from "../../../db/schema";
import { getDb } from "../../db";
import { conflict, notFound } from "../../errors";
import { sendNotice } from "../../notices/send";
import { type Operator, recordOperatorAction } from "../../operators/audit";
import { durationText } from "../../time";
import { recordTrail } from "../trail";
import { createLinkToken, LINK_TTL_MS } from "./links";
import {
  OPEN_STATUSES,
  REQUEST_WHAT,
  type RequestDetailView,
  requestView,
  type TimelineEntryView,
} from "./view";

/** One request for operators: its view, note, timeline and privacy trail (no email, no content). */
export async function requestDetail(env: Env, id: string, now = new Date()): Promise<RequestDetailView> {
  const db = getDb(env.DB);
  const [row] = await db.select().from(privacyRequests).where(eq(privacyRequests.id, id));
  if (!row) throw notFound("Privacy request");
  const { results } = await env.DB.prepare(
    "SELECT at, actor, action, detail FROM privacy_audit WHERE request_id = ? ORDER BY at",
  )
    .bind(id)
    .all<{ at: number; actor: string; action: string; detail: string | null }>();
  const view = requestView(row, now);
  const account = row.accountId
    ? await db.select({ status: accounts.status }).from(accounts).where(eq(accounts.id, row.accountId)).get()
    : undefined;
  const events: [string | null, string][] = [
    [view.createdAt, "received"],
    [view.verifiedAt, "identity confirmed"],
    [view.startedAt, "work started"],
    [view.completedAt, "completed"],
    [view.deniedAt, `denied${view.denialReason ? `: ${view.denialReason}` : ""}`],
    [view.canceledAt, "canceled"],
  ];
  const timeline: TimelineEntryView[] = events.flatMap(([at, what]) => (at ? [{ at, what }] : []));
  return {
    ...view,
    note: row.note,
    open: (OPEN_STATUSES as readonly string[]).includes(row.status),
    /** An export is gone once its account is (or is being erased): the files go with it. */
    exportGone: row.type === "access" && (!account || account.status === "deleting"),
    canResend: row.status === "verifying" && row.channel === "email" && account?.status === "active",
    canDeny: row.type !== "objection" && (row.status === "received" || row.status === "verifying"),
    canAnswer: row.type === "objection" && row.status === "received",
    timeline,
    audit: results.map((a) => ({
      at: new Date(a.at).toISOString(),
      actor: a.actor,
      action: a.action,
      detail: a.detail ? (JSON.parse(a.detail) as Record<string, unknown>) : null,
    })),
  };
}

/** Denies a request not yet running (e.g. identity could not be confirmed), with the reason given. */
export async function denyRequest(env: Env, id: string, reason: string, operator: Operator) {
  const db = getDb(env.DB);
  const now = new Date();
  const [row] = await db
    .update(privacyRequests)
    .set({ status: "denied", deniedAt: now, denialReason: reason, updatedAt: now, progress: null })
    .where(and(eq(privacyRequests.id, id), inArray(privacyRequests.status, ["received", "verifying"])))
    .returning();
  if (!row) {
    const [exists] = await db
      .select({ id: privacyRequests.id })
      .from(privacyRequests)
      .where(eq(privacyRequests.id, id));
    if (!exists) throw notFound("Privacy request");
    throw conflict("Only a request that has not started can be denied.", "not_deniable");
  }
  await recordTrail(db, {
    requestId: id,
    subject: row.subject,
    actor: "operator",
    actorRef: operator.accountId,
    action: "request.denied",
    detail: { reason: "operator", type: row.type },
  });
  await recordOperatorAction(db, operator, {
    action: "privacy.request.denied",
    target: id,
    detail: { type: row.type, channel: row.channel },
  });
  return requestView(row);
}

/** Sends the account holder a fresh confirmation link for an emailed request still waiting for it. */
export async function resendConfirmation(env: Env, id: string, origin: string, operator: Operator) {
  const db = getDb(env.DB);
  const [row] = await db.select().from(privacyRequests).where(eq(privacyRequests.id, id));
  if (!row) throw notFound("Privacy request");
  const account = row.accountId
    ? await db.select().from(accounts).where(eq(accounts.id, row.accountId)).get()
    : undefined;
  if (row.status !== "verifying" || row.channel !== "email" || !account || account.status !== "active")
    throw conflict("Only an emailed request waiting for confirmation can be re-sent.", "not_verifying");
  const token = await createLinkToken(env, {
    purpose: "confirm_request",
    accountId: account.id,
    requestId: id,
  });
  const what = REQUEST_WHAT[row.type];
  await sendNotice(env, {
    to: account.email,
    kind: "request_confirmation",
    subject: "Confirm your privacy request",
    text: `We received a request by email to ${what}. Nothing happens until you confirm it. If it was not you, ignore this message.\n\nConfirm within ${durationText(LINK_TTL_MS)}:\n${origin}/confirm?token=${token}`,
    accountId: account.id,
  });
  await recordTrail(db, {
    requestId: id,
    subject: row.subject,
    actor: "operator",
    actorRef: operator.accountId,
    action: "request.confirmation_resent",
  });
  await recordOperatorAction(db, operator, { action: "privacy.request.confirmation_resent", target: id });
  return requestView(row);
}
