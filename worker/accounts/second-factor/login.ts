// Finishing a login whose password was right and whose account has a second factor: the pending-login cookie
// names it; a code, a recovery code or a passkey completes it (throttled), and only then is a session made.
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { getDb } from "../../db";
import { getAccount } from "../service";
import { createSession, deviceOf } from "../sessions";
import type { AccountView } from "../views";
import { endChallenge, pendingLogin } from "./challenges";
import { checkTypedFactor, type TypedFactor, throttledFactorCheck } from "./check";
import { authenticationOptions, verifyPasskey } from "./passkeys";

export type CompletedLogin = { account: AccountView; token: string; expiresAt: Date };

async function finish(env: Env, request: Request, pending: { idHash: string; accountId: string }) {
  const db = getDb(env.DB);
  await endChallenge(db, pending.idHash);
  const session = await createSession(db, pending.accountId, deviceOf(request));
  return { account: await getAccount(db, pending.accountId), ...session };
}

export async function completeLoginWithCode(
  env: Env,
  request: Request,
  factor: TypedFactor,
): Promise<CompletedLogin> {
  const pending = await pendingLogin(getDb(env.DB), request);
  await checkTypedFactor(env, pending.accountId, factor, request.headers);
  return finish(env, request, pending);
}

/** The WebAuthn options for the pending login's passkey ceremony. */
export async function pendingLoginPasskeyOptions(env: Env, request: Request, origin: string) {
  const db = getDb(env.DB);
  const pending = await pendingLogin(db, request);
  return authenticationOptions(db, { ...pending, purpose: "login" }, origin);
}

export async function completeLoginWithPasskey(
  env: Env,
  request: Request,
  response: AuthenticationResponseJSON,
  origin: string,
): Promise<CompletedLogin> {
  const db = getDb(env.DB);
  const pending = await pendingLogin(db, request);
  await throttledFactorCheck(
    env,
    pending.accountId,
    request.headers,
    () => verifyPasskey(db, pending.accountId, pending.idHash, response, origin),
    "response",
  );
  return finish(env, request, pending);
}
