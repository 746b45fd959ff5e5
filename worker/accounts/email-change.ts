// Changing the login email: sudo first, a confirmation link to the new address, and a notice to the old
// (verified) address with a "this wasn't me" link that undoes the change and ends every session.
import { and, eq } from "drizzle-orm";
import { accounts } from "../../db/schema";
import { getDb } from "../db";
import type { SessionPrincipal } from "../env";
import { conflict, notFound } from "../errors";
import { sendNotice } from "../notices/send";
import { createLinkToken, LINK_TTL_MS, retireLinks } from "../privacy/rights-requests/links";
import { DAY_MS, durationText } from "../time";
import { holderChanged } from "./ownership";
import { emailTaken } from "./service";

/** The way back must outlive the 24-hour confirmation: the old address may read its mail late. */
const REVERT_TTL_MS = 7 * DAY_MS;

/** Mails the confirmation to the new address and, when the current one is verified, the notice with the way back. */
export async function requestEmailChange(
  env: Env,
  session: SessionPrincipal,
  newEmail: string,
  origin: string,
): Promise<void> {
  const { accountId } = session;
  await retireLinks(env, accountId, ["email_change"]);
  const token = await createLinkToken(env, { purpose: "email_change", accountId, newEmail });
  await sendNotice(env, {
    to: newEmail,
    kind: "email_change",
    subject: "Confirm your new email address",
    text: `Someone asked to use this address for their account. If it was you, confirm within ${durationText(LINK_TTL_MS)}:\n\n${origin}/confirm?token=${token}\n\nIf not, ignore this message; nothing changes.`,
    accountId,
  });
  // Action links only ever go to a verified address: an unverified one may not be the holder's.
  if (!session.emailVerified) return;
  const revert = await createLinkToken(env, {
    purpose: "email_revert",
    accountId,
    newEmail: session.email,
    expiresAt: new Date(Date.now() + REVERT_TTL_MS),
  });
  await sendNotice(env, {
    to: session.email,
    kind: "email_change_notice",
    subject: "Your account's email address is being changed",
    text: `Someone with your password asked to change your account's email address to ${newEmail}.\n\nIf this wasn't you, use this link within ${durationText(REVERT_TTL_MS)}: it keeps (or puts back) this address, and ends every session of the account:\n\n${origin}/confirm?token=${revert}\n\nThen choose a new password at ${origin}/reset-password.`,
    accountId,
  });
}

/** A used email_change link: the new address is proven, so it becomes the verified login; other sessions end. */
export async function confirmEmailChange(
  env: Env,
  link: { accountId: string; newEmail: string | null },
  keepSession: string | undefined,
): Promise<string> {
  const db = getDb(env.DB);
  const email = link.newEmail!;
  if (await emailTaken(db, email, link.accountId))
    throw conflict("An account with this email already exists.", "email_taken");
  const [before] = await db
    .select({ verifiedAt: accounts.emailVerifiedAt })
    .from(accounts)
    .where(and(eq(accounts.id, link.accountId), eq(accounts.status, "active")));
  if (!before) throw notFound("Account");
  await db
    .update(accounts)
    .set({ email, emailVerifiedAt: new Date(), updatedAt: new Date() })
    .where(eq(accounts.id, link.accountId));
  await holderChanged(env, link.accountId, { keepSession, firstProof: before.verifiedAt === null });
  return email;
}

/** A used email_revert link ("this wasn't me"): the old address is back, pending changes die, every session ends. */
export async function revertEmailChange(
  env: Env,
  link: { accountId: string; newEmail: string | null },
): Promise<string> {
  const db = getDb(env.DB);
  const email = link.newEmail!;
  if (await emailTaken(db, email, link.accountId))
    throw conflict("An account with this email already exists.", "email_taken");
  const [updated] = await db
    .update(accounts)
    .set({ email, emailVerifiedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(accounts.id, link.accountId), eq(accounts.status, "active")))
    .returning({ id: accounts.id });
  if (!updated) throw notFound("Account");
  await holderChanged(env, link.accountId, { keepSession: undefined, firstProof: false });
  return email;
}
