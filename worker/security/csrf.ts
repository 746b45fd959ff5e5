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

/**
 * Browsers always send Origin (or Sec-Fetch-Site) on cross-site form and fetch POSTs, so requiring a
 * same-origin one whenever a cookie rides along stops CSRF without tokens. Requests without cookies
 * (API keys, webhooks) cannot be forged this way and pass.
 */
export const csrf: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!SAFE.has(c.req.method) && c.req.header("cookie") && !isSameOrigin(c.req.raw)) {
    throw forbidden("Cross-origin request refused.", "csrf_origin_mismatch");
  }
  await next();
};
