// Responses that carry secrets or private data are never stored by a browser or a shared cache, and the
// dashboard reads no oversized body before refusing it.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "../body-limit";
import type { AppEnv } from "../env";

/** Dashboard forms are small; anything bigger is refused before it is read, parsed or hashed. */
const DASHBOARD_BODY_LIMIT = 256 * 1024;

/** Pages that show private data (or carry a token in their URL) whether or not a cookie came along. */
const PRIVATE_PAGES = /^\/(dashboard|admin|confirm|reset-password|account-deleted)(\/|$)/;

function setNoStore(c: Parameters<MiddlewareHandler<AppEnv>>[0]) {
  if (c.res.headers.has("Cache-Control")) return;
  try {
    c.res.headers.set("Cache-Control", "no-store");
  } catch {
    // Immutable headers (a passed-through upstream response): rebuild once.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set("Cache-Control", "no-store");
  }
}

/** /api and /v1: keys, accounts, billing, usage, completions — no-store unless a route chose otherwise. */
export const noStoreByDefault: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  setNoStore(c);
};

/** Dashboard pages: no-store for every signed-in request, every page that sets a cookie, every private page. */
export const noStoreForPrivatePages: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const signedIn = Boolean(c.req.header("cookie"));
  if (signedIn || c.res.headers.has("Set-Cookie") || PRIVATE_PAGES.test(new URL(c.req.url).pathname))
    setNoStore(c);
};

/** 413 from the Content-Length alone (or once a streamed body passes the limit), before the page's action runs. */
export const dashboardBodyLimit: MiddlewareHandler<AppEnv> = bodyLimit({
  maxSize: DASHBOARD_BODY_LIMIT,
  onError: (c) => c.text("Request body is too large.", 413, { "Cache-Control": "no-store" }),
});
