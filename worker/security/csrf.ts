// CSRF defence: an unsafe request that carries a session cookie must come from our own origin.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { forbidden } from "../errors";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * True when a browser says the request came from this origin (Origin, else Sec-Fetch-Site). A page with
 * `referrer: no-referrer` (the link pages /confirm and /reset-password, whose URL holds a token) makes the
 * browser send `Origin: null`; then Sec-Fetch-Site, which pages cannot forge, decides.
 */
function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin && origin !== "null") return origin === new URL(request.url).origin;
  return request.headers.get("sec-fetch-site") === "same-origin";
}

/** True when a browser says another site made the request (servers and scripts send neither header). */
function isCrossSite(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin && origin !== "null") return origin !== new URL(request.url).origin;
  const site = request.headers.get("sec-fetch-site");
  return site === "cross-site" || site === "same-site";
}

/**
 * Called by servers with API keys or signatures, never by our pages. No cookie authenticates anything here, so a
 * cookie that rides along (a `requests.Session` or a browser extension that kept the dashboard's) forges nothing:
 * CSRF does not apply to these paths, with or without a cookie or an Origin.
 */
const MACHINE_PATHS = /^\/(v1|webhooks)(\/|$)/;

/**
 * Browsers always send Origin (or Sec-Fetch-Site) on cross-site form and fetch POSTs, so requiring a
 * same-origin one whenever a cookie rides along stops CSRF without tokens. Without a cookie, a browser's
 * cross-site POST is refused too: otherwise another site could log a visitor in
 * to the attacker's account (login CSRF) and read what they then type into it.
 */
/** The decision, pure: whether an unsafe request to `path` is refused as cross-origin. */
export function isCsrfRefused(request: Request, path: string): boolean {
  if (SAFE.has(request.method) || MACHINE_PATHS.test(path)) return false;
  return request.headers.get("cookie") ? !isSameOrigin(request) : isCrossSite(request);
}

export const csrf: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (isCsrfRefused(c.req.raw, c.req.path))
    throw forbidden("Cross-origin request refused.", "csrf_origin_mismatch");
  await next();
};
