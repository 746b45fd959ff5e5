// Checking a second factor, throttled like passwords: growing delays per (account, client address), and per
// account from anywhere (only someone who already passed the password gets here, so the owner is not at risk
// from strangers). A blocked attempt is refused before anything is checked and is not counted.
import { getConfig } from "../../config";
import { getDb } from "../../db";
import { AppError } from "../../errors";
import { clearFailures, forgiveAttempt, refuseWhileDelayed, takeAttempt } from "../../security/auth-throttle";
import { clientAddress } from "../../security/rate-limit";
import { spendRecoveryCode } from "./recovery-codes";
import { spendTotpCode } from "./totp";

/** A second factor typed in: a code from the authenticator app, or one of the recovery codes. */
export type TypedFactor = { code?: string | undefined; recoveryCode?: string | undefined };

/**
 * Runs `check` under the second-factor throttle: true passes; false is 401 `invalid_second_factor`.
 * `code` names the error for the form field.
 */
export async function throttledFactorCheck(
  env: Env,
  accountId: string,
  headers: Headers,
  check: () => Promise<boolean>,
  param = "code",
): Promise<void> {
  const db = getDb(env.DB);
  const limits = getConfig(env).authLimits;
  const pair = `2fa:${accountId}|${clientAddress(headers)}`;
  const account = `2fa:${accountId}`;
  await refuseWhileDelayed(db, [pair, account]);
  // Counted before the check: parallel guesses each need a slot of their own.
  await takeAttempt(db, pair, limits.secondFactor);
  await takeAttempt(db, account, limits.secondFactorPerAccount);
  if (!(await check()))
    throw new AppError(401, "That code is not right (or was used already). Try the next one.", {
      code: "invalid_second_factor",
      param,
    });
  await clearFailures(db, [pair]);
  await forgiveAttempt(db, account);
}

/** Checks a typed factor: the app's code, else a recovery code (spent). */
export async function checkTypedFactor(
  env: Env,
  accountId: string,
  factor: TypedFactor,
  headers: Headers,
): Promise<void> {
  const param = factor.code ? "code" : "recoveryCode";
  await throttledFactorCheck(
    env,
    accountId,
    headers,
    async () => {
      if (factor.code) return spendTotpCode(env, accountId, factor.code.replace(/\s/g, ""));
      if (factor.recoveryCode) return spendRecoveryCode(getDb(env.DB), accountId, factor.recoveryCode);
      return false;
    },
    param,
  );
}
