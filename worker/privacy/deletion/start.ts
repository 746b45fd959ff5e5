// Starting and canceling a deletion, inside the account's Durable Object (one at a time per account):
// the tombstone lands at once, so keys and sessions stop working before any data is touched.
import { and, eq, inArray } from "drizzle-orm";
import { accounts, privacyRequests } from "../../../db/schema";
import { getConfig } from "../../config";
import { randomToken } from "../../crypto/encoding";
import { getDb } from "../../db";
import { conflict, notFound } from "../../errors";
import { sendNotice } from "../../notices/send";
import { HOUR_MS } from "../../time";
import { EXPORTS_STATE } from "../export/job";
import { dueDate } from "../rights-requests/clock";
import { createLinkToken } from "../rights-requests/links";
import { OPEN_STATUSES, type RequestView, requestView } from "../rights-requests/view";
import { subjectOf, subjectsOf } from "../subject";
import { recordTrail } from "../trail";
import { DELETION_STATE, type DeletionState, loadDeletion, saveDeletion } from "./state";

export type DeletionInput = {
  accountId: string;
  origin: string;
  actor: "subject" | "operator" | "system";
  actorRef?: string | null;
};

/** The account's deletion request that is still open, if any (there is at most one), under any of its pseudonyms. */
export async function openDeletion(env: Env, accountRef: string) {
  const subjects = await subjectsOf(env, accountRef);
  const [row] = await getDb(env.DB)
    .select()
    .from(privacyRequests)
    .where(
      and(
        inArray(privacyRequests.subject, subjects),
        eq(privacyRequests.type, "deletion"),
        inArray(privacyRequests.status, [...OPEN_STATUSES]),
      ),
    )
    .limit(1);
  return row;
}

/** Records (or reuses) the open deletion request, tombstones the account and persists the job. */
export async function startDeletion(
  ctx: DurableObjectState,
  env: Env,
  input: DeletionInput,
): Promise<RequestView> {
  const db = getDb(env.DB);
  const now = new Date();
  const subject = await subjectOf(env, input.accountId);
  const running = await loadDeletion(ctx.storage);
  if (running && !running.done) {
    const [row] = await db.select().from(privacyRequests).where(eq(privacyRequests.id, running.requestId));
    return requestView(row!);
  }
  const [account] = await db.select().from(accounts).where(eq(accounts.id, input.accountId));
  if (!account) throw notFound("Account");
  const graceHours = getConfig(env).deletionGraceHours;
  const executeAfter = new Date(now.getTime() + graceHours * HOUR_MS);
  const existing = await openDeletion(env, input.accountId);
  let requestId: string;
  if (existing) {
    // An emailed request waiting for confirmation becomes the running one once identity is proven.
    requestId = existing.id;
    await db
      .update(privacyRequests)
      .set({
        status: "in_progress",
        verifiedAt: existing.verifiedAt ?? now,
        startedAt: now,
        executeAfter,
        updatedAt: now,
      })
      .where(eq(privacyRequests.id, requestId));
  } else {
    requestId = crypto.randomUUID();
    await db.insert(privacyRequests).values({
      id: requestId,
      accountId: input.accountId,
      subject,
      type: "deletion",
      channel: "dashboard",
      status: "in_progress",
      receivedAt: now,
      dueAt: dueDate(now, getConfig(env).policy.deletionDeadlineDays),
      verifiedAt: now,
      startedAt: now,
      executeAfter,
      updatedAt: now,
      progress: graceHours > 0 ? "waiting for the grace period to end" : "starting",
    });
  }
  await db
    .update(accounts)
    .set({ status: "deleting", updatedAt: now })
    .where(eq(accounts.id, input.accountId));
  const state: DeletionState = {
    requestId,
    accountId: input.accountId,
    subject,
    email: account.email,
    origin: input.origin,
    token: randomToken(18),
    requestedAt: now.getTime(),
    executeAfter: executeAfter.getTime(),
    step: 0,
    cursor: null,
    erased: {},
    done: false,
  };
  await saveDeletion(ctx.storage, state);
  // An export still being built would write files the deletion has to chase: stop it.
  await ctx.storage.delete(EXPORTS_STATE);
  await recordTrail(db, {
    requestId,
    subject,
    actor: input.actor,
    actorRef: input.actorRef,
    action: "deletion.tombstoned",
    detail: { graceHours, executeAfter: executeAfter.toISOString() },
  });
  await noticeRequested(env, state, graceHours);
  const [row] = await db.select().from(privacyRequests).where(eq(privacyRequests.id, requestId));
  return requestView(row!);
}

async function noticeRequested(env: Env, state: DeletionState, graceHours: number): Promise<void> {
  const lines = [
    "We received your request to delete your account. Your API keys and sessions stopped working immediately.",
  ];
  if (graceHours > 0) {
    const token = await createLinkToken(env, {
      purpose: "cancel_deletion",
      accountId: state.accountId,
      requestId: state.requestId,
      expiresAt: new Date(state.executeAfter),
    });
    lines.push(
      `Deletion begins at ${new Date(state.executeAfter).toISOString()}. Until then you can cancel it here:`,
      `${state.origin}/confirm?token=${token}`,
    );
  } else {
    lines.push("Deletion has begun. You will receive a signed receipt when it is complete.");
  }
  await sendNotice(env, {
    to: state.email!,
    kind: "deletion_requested",
    subject: "Your account deletion request",
    text: lines.join("\n\n"),
    accountId: state.accountId,
  });
}

/** Cancels a deletion still inside its grace period: the account comes back exactly as it was. */
export async function cancelDeletion(
  ctx: DurableObjectState,
  env: Env,
  input: { requestId: string; actor: "subject" | "operator"; actorRef?: string | null },
): Promise<RequestView> {
  const db = getDb(env.DB);
  const state = await loadDeletion(ctx.storage);
  if (!state || state.requestId !== input.requestId || state.done) throw notFound("Deletion request");
  const now = new Date();
  if (state.step > 0 || now.getTime() >= state.executeAfter) {
    throw conflict("Deletion has already begun and can no longer be canceled.", "deletion_started");
  }
  await db.update(accounts).set({ status: "active", updatedAt: now }).where(eq(accounts.id, state.accountId));
  await db
    .update(privacyRequests)
    .set({ status: "canceled", canceledAt: now, updatedAt: now, progress: "canceled" })
    .where(eq(privacyRequests.id, state.requestId));
  // The alarm is the object's: it re-arms for whatever else still waits (buffered usage, say).
  await ctx.storage.delete(DELETION_STATE);
  await recordTrail(db, {
    requestId: state.requestId,
    subject: state.subject,
    actor: input.actor,
    actorRef: input.actorRef,
    action: "deletion.canceled",
  });
  const [row] = await db.select().from(privacyRequests).where(eq(privacyRequests.id, state.requestId));
  return requestView(row!);
}
