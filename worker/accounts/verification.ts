// Email verification: signup mails a single-use link; the address counts as verified only once it is used.
// Until then the account works on its trial credit but is never an operator and gets no mailed action links.
import { and, eq } from "drizzle-orm";
import { accounts, sessions } from "../../db/schema";
import { getConfig } from "../config";
import { getDb } from "../db";
import { conflict, tooManyRequests } from "../errors";
import { sendNotice } from "../notices/send";
import { createLinkToken, LINK_TTL_MS, retireLinks } from "../privacy/rights-requests/links";
import { countHit } from "../security/rate-limit";
import { durationText } from "../time";
import { holderChanged, markFirstProof } from "./ownership";

/** Mails a fresh verification link to the account's current address; older ones stop working. */
export async function sendVerification(
  env: Env,
  account: { accountId: string; email: string },
  origin: string,
): Promise<void> {
  await retireLinks(env, account.accountId, ["verify_email"]);
  const token = await createLinkToken(env, {
    purpose: "verify_email",
    accountId: account.accountId,
    newEmail: account.email,
  });
  await sendNotice(env, {
    to: account.email,
    kind: "email_verification",
    subject: "Verify your email address",
    text: `Confirm that this address belongs to your account within ${durationText(LINK_TTL_MS)}:\n\n${origin}/confirm?token=${token}\n\nIf you did not sign up, ignore this message.`,
    accountId: account.accountId,
  });
}

/** POST /api/auth/verify-email/resend and the dashboard banner's button: throttled per account. */
export async function resendVerification(
  env: Env,
  session: { accountId: string; email: string; emailVerified: boolean },
  origin: string,
): Promise<void> {
  if (session.emailVerified) throw conflict("Your email address is already verified.", "already_verified");
  const limit = getConfig(env).authLimits.verificationResendPerAccount;
  const hit = await countHit(
    getDb(env.DB),
    `verify-resend:${session.accountId}`,
    limit.limit,
    limit.windowSeconds,
  );
  if (!hit.allowed) throw tooManyRequests(hit.retryAfter, "A link was sent recently. Try again later.");
  await sendVerification(env, session, origin);
}

/**
 * Uses a verification link: only while the account still has the address the link was sent to. A proof of
 * ownership (worker/accounts/ownership.ts). Used from a browser holding a session of the account, whoever
 * set the account up is the mailbox's holder, so what they set up stays; used from anywhere else, the proof
 * says nothing about who set it up, so that is discarded and every session ends.
 */
export async function markVerified(
  env: Env,
  accountId: string,
  email: string,
  browserSession: string | undefined,
): Promise<boolean> {
  const db = getDb(env.DB);
  const [row] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.id, accountId), eq(accounts.email, email), eq(accounts.status, "active")));
  if (!row) return false;
  const [own] = browserSession
    ? await db
        .select({ id: sessions.idHash })
        .from(sessions)
        .where(and(eq(sessions.idHash, browserSession), eq(sessions.accountId, accountId)))
    : [];
  const firstProof = await markFirstProof(db, accountId);
  await holderChanged(env, accountId, { keepSession: own?.id, firstProof: firstProof && !own });
  return true;
}
