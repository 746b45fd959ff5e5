// Changing a password (signed in, sudo) and resetting a forgotten one by a mailed link.
import { eq } from "drizzle-orm";
import { accounts } from "../../db/schema";
import { getConfig } from "../config";
import { getDb } from "../db";
import type { SessionPrincipal } from "../env";
import { badRequest } from "../errors";
import { sendNotice } from "../notices/send";
import { consumeLinkToken, createLinkToken } from "../privacy/rights-requests/links";
import { clientAddress, countHit, throttle } from "../security/rate-limit";
import { HOUR_MS } from "../time";
import { holderChanged, markFirstProof } from "./ownership";
import { normalizeEmail, setPassword } from "./service";
import { requireSudo } from "./sudo";
import type { PasswordChangeInput, ResetConfirmInput, ResetRequestInput } from "./views";

/** A reset link works for an hour: long enough to read the mail, short enough to go stale in an inbox. */
const RESET_TTL_MS = HOUR_MS;

/** POST /api/auth/password: the current password (or a recent re-auth), then every other session ends. */
export async function changePassword(
  env: Env,
  session: SessionPrincipal,
  input: PasswordChangeInput,
  headers: Headers,
): Promise<void> {
  await requireSudo(env, session, input.currentPassword, headers);
  const db = getDb(env.DB);
  await setPassword(db, session.accountId, input.newPassword);
  // Pending links (a reset, an email change) die with the old password.
  await holderChanged(env, session.accountId, { keepSession: session.sessionHash, firstProof: false });
}

/**
 * POST /api/auth/password-reset: mails a link when an active account holds the address. The caller answers
 * 202 whatever happens here, so the answer never tells whether an account exists.
 */
export async function requestPasswordReset(
  env: Env,
  input: ResetRequestInput,
  headers: Headers,
  origin: string,
): Promise<void> {
  const db = getDb(env.DB);
  const limits = getConfig(env).authLimits;
  const perAddress = limits.passwordResetPerAddress;
  await throttle(db, `reset:addr:${clientAddress(headers)}`, perAddress.limit, perAddress.windowSeconds);
  const email = normalizeEmail(input.email);
  const [account] = await db
    .select({ id: accounts.id, email: accounts.email, status: accounts.status })
    .from(accounts)
    .where(eq(accounts.email, email));
  if (account?.status !== "active") return;
  // The per-address mail cap is silent: a 429 here would tell that the account exists.
  const perEmail = limits.passwordResetPerEmail;
  if (!(await countHit(db, `reset:account:${account.id}`, perEmail.limit, perEmail.windowSeconds)).allowed)
    return;
  const token = await createLinkToken(env, {
    purpose: "password_reset",
    accountId: account.id,
    newEmail: account.email,
    expiresAt: new Date(Date.now() + RESET_TTL_MS),
  });
  await sendNotice(env, {
    to: account.email,
    kind: "password_reset",
    subject: "Reset your password",
    text: `Someone asked to reset the password of your account. If it was you, choose a new password within an hour:\n\n${origin}/reset-password?token=${token}\n\nIf not, ignore this message: your password stays as it is.`,
    accountId: account.id,
  });
}

/** POST /api/auth/password-reset/confirm: sets the new password and ends every session of the account. */
export async function confirmPasswordReset(env: Env, input: ResetConfirmInput): Promise<void> {
  const link = await consumeLinkToken(env, input.token, ["password_reset"]);
  const db = getDb(env.DB);
  const [account] = await db
    .select({ email: accounts.email, status: accounts.status })
    .from(accounts)
    .where(eq(accounts.id, link.accountId));
  // A link mailed to an address the account no longer has does not reset anything.
  if (account?.status !== "active" || account.email !== link.newEmail)
    throw badRequest("This link is invalid, expired or already used.", "token", "invalid_link");
  await setPassword(db, link.accountId, input.newPassword);
  // Using the link proved the mailbox. Never verified until now: whoever signed up may not be the mailbox's
  // holder (someone can sign up with another's address, set it up, and wait for the owner to reset and top
  // up), so what they set up goes with them, and every session (theirs included) ends.
  const firstProof = await markFirstProof(db, link.accountId);
  await holderChanged(env, link.accountId, { keepSession: undefined, firstProof });
}
