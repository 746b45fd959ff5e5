// Session middleware for the management API: who is calling, and refusing when nobody is.
import type { Context, MiddlewareHandler } from "hono";
import type { Config } from "../config";
import type { AppEnv, SessionEnv, SessionPrincipal } from "../env";
import { forbidden, unauthorized } from "../errors";
import { createRouter } from "../openapi";
import { lookupSession, readSessionCookie } from "./sessions";

/** Puts the session's account on c.var.session when the cookie names a live session. */
export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = readSessionCookie(c.req.url, c.req.header("cookie") ?? null);
  if (token) c.set("session", await lookupSession(c.var.db, token));
  await next();
};

/** What loadSession found, which may be nothing: the check below is what makes SessionEnv true. */
const loaded = (c: Context<SessionEnv>): SessionPrincipal | undefined =>
  (c.var as AppEnv["Variables"]).session;

/** Refuses without a session; typed so that a route (or router) using it reads c.var.session as present. */
export const requireSession: MiddlewareHandler<SessionEnv> = async (c, next) => {
  if (!loaded(c)) throw unauthorized("Log in first.", "not_logged_in");
  await next();
};

/**
 * An operator is a session whose current email is listed in ADMIN_EMAILS (normalised) AND verified.
 * Read from the session row on every request, so a changed or unverified address loses the rights at once.
 */
export function isOperator(config: Config, session: SessionPrincipal | undefined): boolean {
  return Boolean(session?.emailVerified && config.adminEmails.has(session.email));
}

/** With REQUIRE_2FA_FOR_OPERATORS on, an operator without a second factor sets one up before anything else. */
export function operatorNeedsSecondFactor(config: Config, session: SessionPrincipal): boolean {
  return config.requireSecondFactorForOperators && !session.secondFactor;
}

/** Where an operator without a second factor is sent: the page that sets one up. */
export const SECOND_FACTOR_SETUP_PATH = "/dashboard/account/two-factor";

/** Refuses anyone but an operator (who always has a session) with a second factor when the setting asks for one. */
const requireAdmin: MiddlewareHandler<SessionEnv> = async (c, next) => {
  if (!loaded(c)) throw unauthorized("Log in first.", "not_logged_in");
  if (!isOperator(c.var.config, c.var.session)) {
    const unverified = c.var.config.adminEmails.has(c.var.session.email) && !c.var.session.emailVerified;
    throw forbidden(
      unverified ? "Verify your email address first: operators need a verified address." : "Operators only.",
      "not_admin",
    );
  }
  if (operatorNeedsSecondFactor(c.var.config, c.var.session))
    throw forbidden(
      `Operators need a second factor: set up an authenticator app or a passkey at ${SECOND_FACTOR_SETUP_PATH} first.`,
      "second_factor_required",
    );
  await next();
};

/** What the OpenAPI document says every session-protected operation needs (the `session` cookie scheme). */
export const SESSION_SECURITY = [{ session: [] }];

/** A router whose every operation is documented as needing the session cookie (unless it says otherwise). */
function documentedAsSession(router: ReturnType<typeof createRouter<SessionEnv>>) {
  const openapi = router.openapi;
  router.openapi = ((route: Parameters<typeof openapi>[0], ...rest: unknown[]) =>
    (openapi as (...args: unknown[]) => unknown)(
      { security: SESSION_SECURITY, ...route },
      ...rest,
    )) as typeof openapi;
  return router;
}

/**
 * A router every route of which needs a session: the guard, the type that relies on it and the document's
 * `security` come together.
 */
export function sessionRouter() {
  const router = createRouter<SessionEnv>();
  router.use("*", requireSession);
  return documentedAsSession(router);
}

/** A router for operators only, likewise. */
export function adminRouter() {
  const router = createRouter<SessionEnv>();
  router.use("*", requireAdmin);
  return documentedAsSession(router);
}
