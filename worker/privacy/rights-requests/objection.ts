// Objection (GDPR Art. 21): beyond the switches the holder flips themselves (content logging, training,
// notices), a free-text objection to processing we base on legitimate interests. It waits in the operators'
// queue on the 30-day clock until an operator answers it — upheld or not, with the reasons — and the
// requester is mailed the answer. Every step is in the privacy trail and the operator audit.
import { and, eq } from "drizzle-orm";
import { accounts, privacyRequests } from "../../../db/schema";
import { getConfig } from "../../config";
import { getDb } from "../../db";
import { conflict, notFound } from "../../errors";
import { sendNotice } from "../../notices/send";
import { type Operator, recordOperatorAction } from "../../operators/audit";
import { subjectOf } from "../subject";
import { recordTrail } from "../trail";
import { dueDate } from "./clock";
import { type RequestView, requestView } from "./view";

/** An objection from the signed-in holder; its text is kept with the request (never in the trail or logs). */
export async function createObjection(env: Env, accountId: string, note: string): Promise<RequestView> {
  const db = getDb(env.DB);
  const now = new Date();
  const subject = await subjectOf(env, accountId);
  const id = crypto.randomUUID();
  await db.insert(privacyRequests).values({
    id,
    accountId,
    subject,
    type: "objection",
    channel: "dashboard",
    status: "received",
    note,
    receivedAt: now,
    dueAt: dueDate(now, getConfig(env).policy.deletionDeadlineDays),
    verifiedAt: now,
    updatedAt: now,
    progress: "waiting for an operator's answer",
  });
  await recordTrail(db, {
    requestId: id,
    subject,
    actor: "subject",
    action: "objection.received",
    detail: { channel: "dashboard", chars: note.length },
  });
  const [row] = await db.select().from(privacyRequests).where(eq(privacyRequests.id, id));
  return requestView(row!);
}

/** An emailed objection its holder has just confirmed: it now waits for an operator's answer. */
export async function objectionConfirmed(env: Env, id: string): Promise<RequestView> {
  const db = getDb(env.DB);
  const now = new Date();
  const [row] = await db
    .update(privacyRequests)
    .set({
      status: "received",
      verifiedAt: now,
      updatedAt: now,
      progress: "waiting for an operator's answer",
    })
    .where(eq(privacyRequests.id, id))
    .returning();
  return requestView(row!);
}

export type ObjectionAnswer = { upheld: boolean; answer: string };

/**
 * An operator's answer: upheld closes the request as completed (the processing objected to stops), not upheld
 * as denied with the answer as its reason. Only an open, confirmed objection can be answered, once.
 */
export async function answerObjection(
  env: Env,
  id: string,
  input: ObjectionAnswer,
  operator: Operator,
): Promise<RequestView> {
  const db = getDb(env.DB);
  const now = new Date();
  const [current] = await db.select().from(privacyRequests).where(eq(privacyRequests.id, id));
  if (!current) throw notFound("Privacy request");
  if (current.type !== "objection")
    throw conflict("Only an objection is answered this way.", "not_an_objection");
  const closed = input.upheld
    ? { status: "completed" as const, completedAt: now }
    : { status: "denied" as const, deniedAt: now, denialReason: input.answer };
  const [row] = await db
    .update(privacyRequests)
    .set({ ...closed, answer: input.answer, updatedAt: now, progress: null })
    .where(and(eq(privacyRequests.id, id), eq(privacyRequests.status, "received")))
    .returning();
  if (!row)
    throw conflict(
      "This objection is not waiting for an answer (not confirmed yet, or already answered).",
      "not_answerable",
    );
  await recordTrail(db, {
    requestId: id,
    subject: row.subject,
    actor: "operator",
    actorRef: operator.accountId,
    action: "objection.answered",
    detail: { upheld: input.upheld },
  });
  await recordOperatorAction(db, operator, {
    action: "privacy.objection.answered",
    target: id,
    detail: { upheld: input.upheld },
  });
  const account = row.accountId
    ? await db
        .select({ email: accounts.email, status: accounts.status })
        .from(accounts)
        .where(eq(accounts.id, row.accountId))
        .get()
    : undefined;
  if (account?.status === "active")
    await sendNotice(env, {
      to: account.email,
      kind: "objection_answered",
      subject: input.upheld ? "Your objection is upheld" : "Our answer to your objection",
      text: `${input.upheld ? "We upheld your objection: the processing you objected to stops." : "We did not uphold your objection."}\n\n${input.answer}\n\nYou may also complain to a data protection supervisory authority.`,
      accountId: row.accountId,
      key: `objection/${id}`,
    });
  return requestView(row);
}
