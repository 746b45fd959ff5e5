// Sudo mode: sensitive changes (email, password, deletion, WhatsApp, second factors) need the current password
// in the request, or a re-authentication on this session within the last ten minutes — by the password or by
// the second factor. Wrong passwords and codes are throttled per (account, client address) with growing delays.
import { getConfig } from "../config";
import { getDb } from "../db";
import type { SessionPrincipal } from "../env";
import { AppError } from "../errors";
import { clearFailures, refuseWhileDelayed, takeAttempt } from "../security/auth-throttle";
import { clientAddress } from "../security/rate-limit";
import { checkTypedFactor } from "./second-factor/check";
import { checkPassword } from "./service";
import { recordReauth } from "./sessions";

const SUDO_WINDOW_MS = 10 * 60 * 1000;

const reauthRequired = (message = "Re-enter your password to do this.", param?: string) =>
  new AppError(401, message, { code: "reauth_required", param });

/** Checks the account's password, throttled; a wrong one is 401 reauth_required, too many are 429. */
export async function recheckPassword(
  env: Env,
  session: SessionPrincipal,
  password: string,
  headers: Headers,
  param?: string,
): Promise<void> {
  const db = getDb(env.DB);
  const bucket = `pwcheck:${session.accountId}|${clientAddress(headers)}`;
  await refuseWhileDelayed(db, [bucket]);
  // Counted before the check: parallel guesses each need a slot of their own.
  await takeAttempt(db, bucket, getConfig(env).authLimits.passwordCheck);
  if (!(await checkPassword(db, session.accountId, password))) {
    throw reauthRequired("That is not your current password. Re-enter it.", param);
  }
  await clearFailures(db, [bucket]);
}

/** True when this session re-authenticated within the sudo window. */
export function inSudoWindow(session: SessionPrincipal, now = Date.now()): boolean {
  return session.reauthAt !== null && now - session.reauthAt.getTime() < SUDO_WINDOW_MS;
}

/**
 * The gate before a sensitive change: the password given with the request, or a recent re-authentication.
 * Without either, 401 with code reauth_required.
 */
export async function requireSudo(
  env: Env,
  session: SessionPrincipal,
  password: string | undefined,
  headers: Headers,
): Promise<void> {
  if (password) return recheckPassword(env, session, password, headers);
  if (!inSudoWindow(session)) throw reauthRequired();
}

/** What re-authenticates a session: the password, or a code from the second factor (app or recovery code). */
export type ReauthProof = {
  password?: string | undefined;
  code?: string | undefined;
  recoveryCode?: string | undefined;
};

/** POST /api/auth/reauth: a correct password or second-factor code opens the sudo window on this session. */
export async function reauthenticate(
  env: Env,
  session: SessionPrincipal,
  proof: ReauthProof,
  headers: Headers,
): Promise<void> {
  if (proof.password) await recheckPassword(env, session, proof.password, headers);
  else if (proof.code || proof.recoveryCode) await checkTypedFactor(env, session.accountId, proof, headers);
  else throw reauthRequired();
  await recordReauth(getDb(env.DB), session.sessionHash);
}

/** The sudo gate for a step that starts a ceremony: a password given here also opens the window for what follows. */
export async function requireSudoAndRecord(
  env: Env,
  session: SessionPrincipal,
  password: string | undefined,
  headers: Headers,
): Promise<void> {
  if (password) return reauthenticate(env, session, { password }, headers);
  if (!inSudoWindow(session)) throw reauthRequired();
}
