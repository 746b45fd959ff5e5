// Restriction of processing (GDPR Art. 18): while it is in force the account's data is only stored. The fact
// is one column, accounts.restricted_at; what reads it: the API-key lookup (worker/keys/middleware.ts — cached
// with the key, so the hot path pays no extra call: 403 processing_restricted), WhatsApp answering (replies
// pause), the dashboard's playground (refused like a key), and the training export (the account is left out). The
// holder lifts it as easily as they set it.
import { and, desc, eq, isNotNull, isNull } from "drizzle-orm";
import { accounts, privacyRequests } from "../../../db/schema";
import { getConfig } from "../../config";
import { getDb } from "../../db";
import type { Db } from "../../env";
import { conflict, forbidden } from "../../errors";
import { forgetAccountKeys } from "../../keys/cache";
import { subjectOf } from "../subject";
import { recordTrail } from "../trail";
import { dueDate } from "./clock";
import { type RequestView, requestView } from "./view";

export type RestrictionState = { restricted: boolean; since: string | null };

/** The refusal while processing is restricted: 403 processing_restricted (API keys and the playground alike). */
export const processingRestricted = () =>
  forbidden(
    "Processing of this account's data is restricted at its holder's request (GDPR Art. 18): it is only stored. Lift the restriction on the dashboard's privacy page to use the API again.",
    "processing_restricted",
  );

/** Whether processing of the account's data is restricted now (read where no key cache stands in front). */
export async function isRestricted(db: Db, accountId: string): Promise<boolean> {
  const row = await db
    .select({ at: accounts.restrictedAt })
    .from(accounts)
    .where(eq(accounts.id, accountId))
    .get();
  return Boolean(row?.at);
}

export async function restrictionState(db: Db, accountId: string): Promise<RestrictionState> {
  const row = await db
    .select({ at: accounts.restrictedAt })
    .from(accounts)
    .where(eq(accounts.id, accountId))
    .get();
  return { restricted: Boolean(row?.at), since: row?.at ? row.at.toISOString() : null };
}

const ALREADY = "Processing of this account's data is already restricted; lift it first to restrict again.";

/**
 * Restricts processing at once and records the request as completed (the restriction, not its end, is what
 * was asked for). `existingId`: an emailed request its holder has just confirmed. A second restriction while
 * one is in force is refused (409 already_restricted), changing nothing.
 */
export async function restrictProcessing(
  env: Env,
  accountId: string,
  existingId?: string,
): Promise<RequestView> {
  const db = getDb(env.DB);
  const now = new Date();
  const [set] = await db
    .update(accounts)
    .set({ restrictedAt: now })
    .where(and(eq(accounts.id, accountId), eq(accounts.status, "active"), isNull(accounts.restrictedAt)))
    .returning({ id: accounts.id });
  if (!set) throw conflict(ALREADY, "already_restricted");
  // This isolate forgets the account's keys at once; others within the key cache's lifetime (ADR 008).
  forgetAccountKeys(accountId);
  const subject = await subjectOf(env, accountId);
  const done = {
    status: "completed" as const,
    verifiedAt: now,
    startedAt: now,
    completedAt: now,
    updatedAt: now,
    progress: `in force since ${now.toISOString()}: your data is only stored`,
  };
  let id = existingId;
  if (id) await db.update(privacyRequests).set(done).where(eq(privacyRequests.id, id));
  else {
    id = crypto.randomUUID();
    await db.insert(privacyRequests).values({
      id,
      accountId,
      subject,
      type: "restriction",
      channel: "dashboard",
      receivedAt: now,
      dueAt: dueDate(now, getConfig(env).policy.deletionDeadlineDays),
      ...done,
    });
  }
  await recordTrail(db, { requestId: id, subject, actor: "subject", action: "restriction.applied" });
  const [row] = await db.select().from(privacyRequests).where(eq(privacyRequests.id, id));
  return requestView(row!);
}

/** Lifts the restriction at its holder's request; 409 not_restricted when none is in force. */
export async function liftRestriction(env: Env, accountId: string): Promise<RestrictionState> {
  const db = getDb(env.DB);
  const now = new Date();
  const [lifted] = await db
    .update(accounts)
    .set({ restrictedAt: null })
    .where(and(eq(accounts.id, accountId), isNotNull(accounts.restrictedAt)))
    .returning({ id: accounts.id });
  if (!lifted) throw conflict("Processing of this account's data is not restricted.", "not_restricted");
  forgetAccountKeys(accountId);
  const [request] = await db
    .select({ id: privacyRequests.id })
    .from(privacyRequests)
    .where(and(eq(privacyRequests.accountId, accountId), eq(privacyRequests.type, "restriction")))
    .orderBy(desc(privacyRequests.receivedAt))
    .limit(1);
  if (request)
    await db
      .update(privacyRequests)
      .set({ progress: `lifted at your request on ${now.toISOString()}`, updatedAt: now })
      .where(eq(privacyRequests.id, request.id));
  await recordTrail(db, {
    requestId: request?.id ?? null,
    subject: await subjectOf(env, accountId),
    actor: "subject",
    action: "restriction.lifted",
  });
  return { restricted: false, since: null };
}
