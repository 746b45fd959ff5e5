// Security headers on every response, and https-only unless served locally on loopback (P4).
import type { MiddlewareHandler } from "hono";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { isLoopback } from "./upstream-url";

/** The CSP; pages pass their per-response nonce so only our own inline scripts run. */
export function contentSecurityPolicy(nonce?: string): string {
  return [
    "default-src 'self'",
    nonce ? `script-src 'self' 'nonce-${nonce}'` : "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  // An https request (every deployed one) needs no URL parsed; plain http is redirected unless local on loopback.
  const https = c.req.url.startsWith("https:");
  if (!https) {
    const url = new URL(c.req.url);
    if (url.protocol === "http:" && !(getConfig(c.env).localMode && isLoopback(url))) {
      url.protocol = "https:";
      return c.redirect(url.toString(), 308);
    }
  }
  await next();
  const h = c.res.headers;
  // Streams and upstream responses may come with immutable headers; rebuild only when needed.
  try {
    setAll(h, https);
  } catch {
    c.res = new Response(c.res.body, c.res);
    setAll(c.res.headers, https);
  }
};

/**
 * The headers every response carries; public/_headers repeats them for static assets (a test compares).
 * @internal
 */
export const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
} as const;
/** @internal */
export const HSTS = "max-age=63072000; includeSubDomains; preload";

const HEADER_LIST = Object.entries(SECURITY_HEADERS);
const DEFAULT_CSP = contentSecurityPolicy();

function setAll(h: Headers, https: boolean) {
  for (const [name, value] of HEADER_LIST) h.set(name, value);
  if (!h.has("Content-Security-Policy")) h.set("Content-Security-Policy", DEFAULT_CSP);
  if (https) h.set("Strict-Transport-Security", HSTS);
}
