// Session middleware for the management API: who is calling, and refusing when nobody is.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { forbidden, unauthorized } from "../errors";
import { lookupSession, readSessionCookie } from "./sessions";

/** Puts the session's account on c.var.session when the cookie names a live session. */
export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = readSessionCookie(c.req.url, c.req.header("cookie") ?? null);
  if (token) c.set("session", await lookupSession(c.var.db, token));
  await next();
};

export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.var.session) throw unauthorized("Log in first.", "not_logged_in");
  await next();
};

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.var.session) throw unauthorized("Log in first.", "not_logged_in");
  if (!c.var.config.adminEmails.has(c.var.session.email)) throw forbidden("Operators only.", "not_admin");
  await next();
};
