// The dashboard's view of sessions: the same service the API uses, read from the request's cookie.
import { data, redirect } from "react-router";
import { isOperator, operatorNeedsSecondFactor, SECOND_FACTOR_SETUP_PATH } from "#worker/accounts/middleware";
import { lookupSession, readSessionCookie } from "#worker/accounts/sessions";
import { getConfig } from "#worker/config";
import { getDb } from "#worker/db";
import type { SessionPrincipal } from "#worker/env";

export async function getSession(request: Request, env: Env): Promise<SessionPrincipal | undefined> {
  const token = readSessionCookie(request.url, request.headers.get("cookie"));
  return token ? lookupSession(getDb(env.DB), token) : undefined;
}

/** The signed-in account, or a redirect to /login that comes back here afterwards. */
export async function requireUser(request: Request, env: Env): Promise<SessionPrincipal> {
  const session = await getSession(request, env);
  if (!session) {
    const url = new URL(request.url);
    throw redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return session;
}

/**
 * Operator rights: a verified address listed in ADMIN_EMAILS, read fresh on every request, with a second factor
 * when REQUIRE_2FA_FOR_OPERATORS asks for one (the admin actions check this, the pages send to the setup).
 */
export function isAdmin(env: Env, session: SessionPrincipal | undefined): boolean {
  const config = getConfig(env);
  return isOperator(config, session) && !operatorNeedsSecondFactor(config, session!);
}

/** Listed and verified, whether or not the second factor the setting asks for is there yet. */
const isListedOperator = (env: Env, session: SessionPrincipal) => isOperator(getConfig(env), session);

/**
 * For the /admin pages' loaders and actions: signed in (else to /login), an operator (else a 403 page), and —
 * with REQUIRE_2FA_FOR_OPERATORS on — with a second factor (else to the page that sets one up, then back).
 */
export async function requireOperator(request: Request, env: Env): Promise<SessionPrincipal> {
  const session = await requireUser(request, env);
  if (!isListedOperator(env, session))
    throw data("Operators only", { status: 403, statusText: "Operators only." });
  if (operatorNeedsSecondFactor(getConfig(env), session)) {
    const url = new URL(request.url);
    throw redirect(`${SECOND_FACTOR_SETUP_PATH}?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return session;
}

export { safeNext } from "#worker/security/next-path";
