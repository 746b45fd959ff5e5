// Privacy requests as the account holder and operators see them: create, list, confirm, download.
import { and, desc, eq } from "drizzle-orm";
import { accounts, type PrivacyRequestType, privacyRequests } from "../../../db/schema";
import { accountObject } from "../../account-object/stub";
import { confirmEmailChange, revertEmailChange } from "../../accounts/email-change";
import { normalizeEmail } from "../../accounts/service";
import { markVerified } from "../../accounts/verification";
import { getConfig } from "../../config";
import { getDb } from "../../db";
import type { Db } from "../../env";
import { badRequest, conflict, notFound } from "../../errors";
import { forgetAccountKeys } from "../../keys/cache";
import { sendNotice } from "../../notices/send";
import { type Operator, recordOperatorAction } from "../../operators/audit";
import { durationText } from "../../time";
import { openDeletion } from "../deletion/start";
import { subjectOf } from "../subject";
import { recordTrail } from "../trail";
import { dueDate } from "./clock";
import { consumeLinkToken, createLinkToken, LINK_TTL_MS, type LinkPurpose } from "./links";
import { createObjection, objectionConfirmed } from "./objection";
import { restrictProcessing } from "./restriction";
import { REQUEST_WHAT, type RequestView, requestView } from "./view";

type Actor = { actor: "subject" | "operator"; actorRef?: string | null };

export async function listRequests(db: Db, accountId: string): Promise<RequestView[]> {
  const rows = await db
    .select()
    .from(privacyRequests)
    .where(eq(privacyRequests.accountId, accountId))
    .orderBy(desc(privacyRequests.receivedAt));
  return rows.map((r) => requestView(r));
}

/** The request if this account owns it; another account's id is "not found" (never "forbidden"). */
export async function ownedRequest(db: Db, accountId: string, id: string) {
  const [row] = await db
    .select()
    .from(privacyRequests)
    .where(and(eq(privacyRequests.id, id), eq(privacyRequests.accountId, accountId)));
  if (!row) throw notFound("Privacy request");
  return row;
}

/** Starts an access request for a verified account holder; an export already being built is returned. */
async function startAccess(
  env: Env,
  accountId: string,
  origin: string,
  existingId?: string,
): Promise<RequestView> {
  const db = getDb(env.DB);
  const now = new Date();
  const subject = await subjectOf(env, accountId);
  let id = existingId;
  if (id) {
    await db
      .update(privacyRequests)
      .set({
        status: "in_progress",
        verifiedAt: now,
        startedAt: now,
        updatedAt: now,
        progress: "building the export",
      })
      .where(eq(privacyRequests.id, id));
  } else {
    const [open] = await db
      .select()
      .from(privacyRequests)
      .where(
        and(
          eq(privacyRequests.accountId, accountId),
          eq(privacyRequests.type, "access"),
          eq(privacyRequests.status, "in_progress"),
        ),
      );
    if (open) return requestView(open);
    id = crypto.randomUUID();
    await db.insert(privacyRequests).values({
      id,
      accountId,
      subject,
      type: "access",
      channel: "dashboard",
      status: "in_progress",
      receivedAt: now,
      dueAt: dueDate(now, getConfig(env).policy.deletionDeadlineDays),
      verifiedAt: now,
      startedAt: now,
      updatedAt: now,
      progress: "building the export",
    });
    await recordTrail(db, {
      requestId: id,
      subject,
      actor: "subject",
      action: "access.requested",
      detail: { channel: "dashboard" },
    });
  }
  await accountObject(env, accountId).startExport({ requestId: id, accountId, subject, origin });
  const [row] = await db.select().from(privacyRequests).where(eq(privacyRequests.id, id));
  return requestView(row!);
}

/** Starts a deletion through the account's Durable Object; keys cached in this isolate die at once. */
async function startDeletionFor(
  env: Env,
  accountId: string,
  origin: string,
  actor: Actor,
): Promise<RequestView> {
  const view = await accountObject(env, accountId).requestDeletion({ accountId, origin, ...actor });
  forgetAccountKeys(accountId);
  return view;
}

/**
 * A request from the signed-in account holder (identity proven by the session and, for deletion, the password);
 * `note` is an objection's text.
 */
export async function createRequest(
  env: Env,
  accountId: string,
  type: PrivacyRequestType,
  origin: string,
  note = "",
): Promise<RequestView> {
  if (type === "access") return startAccess(env, accountId, origin);
  if (type === "restriction") return restrictProcessing(env, accountId);
  if (type === "objection") return createObjection(env, accountId, note);
  return startDeletionFor(env, accountId, origin, { actor: "subject" });
}

/** Why an emailed request for an address cannot go ahead, or null when its holder can be asked to confirm. */
function denialFor(account: typeof accounts.$inferSelect | undefined): string | null {
  if (account?.status !== "active") return "No active account holds this email address.";
  // The confirmation goes by mail: only a verified address proves the mailbox is the account holder's.
  if (account.emailVerifiedAt === null)
    return "The account's email address is not verified, so its holder cannot confirm by email.";
  return null;
}

/** Records a request that arrived by email; nothing runs until the account's own verified address confirms it. */
export async function recordEmailedRequest(
  env: Env,
  input: { email: string; type: PrivacyRequestType; note: string; origin: string },
  operator: Operator,
): Promise<RequestView> {
  const db = getDb(env.DB);
  const now = new Date();
  const email = normalizeEmail(input.email);
  const [account] = await db.select().from(accounts).where(eq(accounts.email, email));
  const subject = await subjectOf(env, account?.id ?? `email:${email}`);
  const due = dueDate(now, getConfig(env).policy.deletionDeadlineDays);
  const denial = denialFor(account);
  if (account && !denial && input.type === "deletion") {
    const open = await openDeletion(env, account.id);
    if (open) return requestView(open);
  }
  const id = crypto.randomUUID();
  const found = denial === null;
  await db.insert(privacyRequests).values({
    id,
    accountId: found ? account!.id : null,
    subject,
    type: input.type,
    channel: "email",
    status: found ? "verifying" : "denied",
    note: input.note,
    receivedAt: now,
    dueAt: due,
    deniedAt: found ? null : now,
    denialReason: denial,
    updatedAt: now,
    progress: found ? "waiting for the account holder to confirm by email" : null,
  });
  await recordTrail(db, {
    requestId: id,
    subject,
    actor: "operator",
    actorRef: operator.accountId,
    action: found ? "request.recorded" : "request.denied",
    detail: { type: input.type, channel: "email", accountFound: Boolean(account), verified: found },
  });
  await recordOperatorAction(db, operator, {
    action: "privacy.request.recorded",
    target: id,
    detail: { type: input.type, channel: "email", status: found ? "verifying" : "denied" },
  });
  if (found) {
    const token = await createLinkToken(env, {
      purpose: "confirm_request",
      accountId: account!.id,
      requestId: id,
    });
    const what = REQUEST_WHAT[input.type];
    await sendNotice(env, {
      to: account!.email,
      kind: "request_confirmation",
      subject: "Confirm your privacy request",
      text: `We received a request by email to ${what}. Nothing happens until you confirm it. If it was not you, ignore this message.\n\nConfirm within ${durationText(LINK_TTL_MS)}:\n${input.origin}/confirm?token=${token}`,
      accountId: account!.id,
    });
  }
  const [row] = await db.select().from(privacyRequests).where(eq(privacyRequests.id, id));
  return requestView(row!);
}

export type LinkOutcome =
  | { purpose: "confirm_request"; request: RequestView }
  | { purpose: "cancel_deletion"; request: RequestView }
  | { purpose: "email_change"; email: string }
  | { purpose: "email_revert"; email: string }
  | { purpose: "verify_email"; email: string };

/** What POST /api/privacy/links and /confirm use; password-reset links have their own page and route. */
export const NOTICE_LINK_PURPOSES = [
  "confirm_request",
  "cancel_deletion",
  "email_change",
  "email_revert",
  "verify_email",
] as const satisfies readonly LinkPurpose[];

/**
 * Uses a single-use link from a notice. `keepSession` is the session of the browser using it, which a
 * confirmed email change keeps while ending the account's others.
 */
export async function useLink(
  env: Env,
  token: string,
  origin: string,
  keepSession?: string,
): Promise<LinkOutcome> {
  const link = await consumeLinkToken(env, token, NOTICE_LINK_PURPOSES);
  const db = getDb(env.DB);
  const subject = await subjectOf(env, link.accountId);
  if (link.purpose === "verify_email") {
    if (!(await markVerified(env, link.accountId, link.newEmail ?? "", keepSession)))
      throw badRequest("This link is invalid, expired or already used.", "token", "invalid_link");
    return { purpose: "verify_email", email: link.newEmail! };
  }
  if (link.purpose === "email_change") {
    const email = await confirmEmailChange(env, link, keepSession);
    await recordTrail(db, {
      requestId: null,
      subject,
      actor: "subject",
      action: "rectification.email_changed",
    });
    return { purpose: "email_change", email };
  }
  if (link.purpose === "email_revert") {
    const email = await revertEmailChange(env, link);
    await recordTrail(db, {
      requestId: null,
      subject,
      actor: "subject",
      action: "rectification.email_reverted",
    });
    return { purpose: "email_revert", email };
  }
  const [request] = await db
    .select()
    .from(privacyRequests)
    .where(eq(privacyRequests.id, link.requestId ?? ""));
  if (!request) throw badRequest("This link is invalid, expired or already used.", "token", "invalid_link");
  if (link.purpose === "cancel_deletion") {
    const view = await accountObject(env, link.accountId).cancelDeletion({
      requestId: request.id,
      actor: "subject",
    });
    return { purpose: "cancel_deletion", request: view };
  }
  if (request.status !== "verifying")
    throw conflict("This request is no longer waiting for confirmation.", "not_verifying");
  await recordTrail(db, {
    requestId: request.id,
    subject,
    actor: "subject",
    action: "request.confirmed",
    detail: { channel: "email" },
  });
  return { purpose: "confirm_request", request: await runConfirmed(env, request, link.accountId, origin) };
}

/** A request confirmed from its holder's mailbox goes ahead as if made from the dashboard. */
function runConfirmed(
  env: Env,
  request: typeof privacyRequests.$inferSelect,
  accountId: string,
  origin: string,
): Promise<RequestView> {
  if (request.type === "access") return startAccess(env, accountId, origin, request.id);
  if (request.type === "restriction") return restrictProcessing(env, accountId, request.id);
  if (request.type === "objection") return objectionConfirmed(env, request.id);
  return startDeletionFor(env, accountId, origin, { actor: "subject" });
}
