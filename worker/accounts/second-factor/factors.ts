// The account's second factors as a whole: which are on, setting the app up (recovery codes come with the first
// factor), removing one (the codes go with the last), and discarding them all when an unproven holder set them.
import { eq } from "drizzle-orm";
import { authChallenges, totpFactors } from "../../../db/schema";
import type { Db, SessionPrincipal } from "../../env";
import { conflict } from "../../errors";
import { endOtherSessions } from "../sessions";
import { dropPasskeys, listPasskeys, type PasskeyView } from "./passkeys";
import { dropRecoveryCodes, issueRecoveryCodes, unusedRecoveryCodes } from "./recovery-codes";
import { hasTotp, removeTotp, spendTotpCode } from "./totp";

export type SecondFactorMethod = "totp" | "passkey" | "recovery_code";

export type FactorStatus = {
  totp: boolean;
  passkeys: PasskeyView[];
  recoveryCodesLeft: number;
};

export async function factorStatus(db: Db, accountId: string): Promise<FactorStatus> {
  const [totp, passkeys, recoveryCodesLeft] = await Promise.all([
    hasTotp(db, accountId),
    listPasskeys(db, accountId),
    unusedRecoveryCodes(db, accountId),
  ]);
  return { totp, passkeys, recoveryCodesLeft };
}

/** The ways a login waiting for its second factor may finish; empty when the account has none. */
export async function secondFactorMethods(db: Db, accountId: string): Promise<SecondFactorMethod[]> {
  const status = await factorStatus(db, accountId);
  const methods: SecondFactorMethod[] = [];
  if (status.totp) methods.push("totp");
  if (status.passkeys.length > 0) methods.push("passkey");
  if (methods.length > 0 && status.recoveryCodesLeft > 0) methods.push("recovery_code");
  return methods;
}

/**
 * Confirms the app being set up with a code from it (throttled by the caller); ten new recovery codes replace
 * any old ones and are returned, the only time they are shown. Every other session ends: each one left was
 * opened without the factor, and /admin's gate trusts a session of an account that has one.
 */
export async function confirmTotp(
  env: Env,
  db: Db,
  session: SessionPrincipal,
  code: string,
): Promise<string[] | null> {
  const { accountId } = session;
  if (await hasTotp(db, accountId))
    throw conflict("An authenticator app is already set up.", "totp_already_on");
  const [pending] = await db
    .select({ accountId: totpFactors.accountId })
    .from(totpFactors)
    .where(eq(totpFactors.accountId, accountId))
    .limit(1);
  if (!pending) throw conflict("Start setting up the authenticator app first.", "totp_not_started");
  if (!(await spendTotpCode(env, accountId, code.replace(/\s/g, ""), { pending: true }))) return null;
  await endOtherSessions(db, accountId, session.sessionHash);
  return issueRecoveryCodes(db, accountId);
}

/** After a factor was removed: with none left, the recovery codes go too (they recover nothing). */
export async function afterFactorRemoved(db: Db, accountId: string): Promise<void> {
  const status = await factorStatus(db, accountId);
  if (!status.totp && status.passkeys.length === 0) await dropRecoveryCodes(db, accountId);
}

export async function removeTotpFactor(db: Db, accountId: string): Promise<boolean> {
  const removed = await removeTotp(db, accountId);
  await afterFactorRemoved(db, accountId);
  return removed;
}

/**
 * Whatever second factor an unproven holder set up goes when the owner first proves the address: a squatter's
 * authenticator would otherwise lock the owner out of their own account, or let the squatter re-authenticate.
 */
export async function discardSecondFactors(db: Db, accountId: string): Promise<void> {
  await removeTotp(db, accountId);
  await dropPasskeys(db, accountId);
  await dropRecoveryCodes(db, accountId);
  await db.delete(authChallenges).where(eq(authChallenges.accountId, accountId));
}
