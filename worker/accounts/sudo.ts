// Sudo mode: sensitive changes (email, password, deletion, WhatsApp) need the current password in the
// request, or a re-authentication on this session within the last ten minutes. Wrong passwords are
// throttled per (account, client address) with growing delays.
import { getConfig } from "../config";
import { getDb } from "../db";
import type { SessionPrincipal } from "../env";
import { AppError } from "../errors";
import { clearFailures, refuseWhileDelayed, takeAttempt } from "../security/auth-throttle";
import { clientAddress } from "../security/rate-limit";
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
function inSudoWindow(session: SessionPrincipal, now = Date.now()): boolean {
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

/** POST /api/auth/reauth: a correct password opens the sudo window on this session. */
export async function reauthenticate(
  env: Env,
  session: SessionPrincipal,
  password: string,
  headers: Headers,
): Promise<void> {
  await recheckPassword(env, session, password, headers);
  await recordReauth(getDb(env.DB), session.sessionHash);
}
