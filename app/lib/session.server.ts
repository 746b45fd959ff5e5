// The dashboard's view of sessions: the same service the API uses, read from the request's cookie.
import { data, redirect } from "react-router";
import { isOperator } from "#worker/accounts/middleware";
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

/** Operator rights: a verified address listed in ADMIN_EMAILS, read fresh on every request. */
export function isAdmin(env: Env, session: SessionPrincipal | undefined): boolean {
  return isOperator(getConfig(env), session);
}

/** For the /admin pages' loaders: signed in (else to /login), and an operator (else a 403 page). */
export async function requireOperator(request: Request, env: Env): Promise<SessionPrincipal> {
  const session = await requireUser(request, env);
  if (!isAdmin(env, session)) throw data("Operators only", { status: 403, statusText: "Operators only." });
  return session;
}

export { safeNext } from "#worker/security/next-path";
