// Request ids: one per request, minted on arrival, sent back on every answer (errors included) and stored as
// the usage row's id, so a user can quote it to support. Anthropic routes also get Anthropic's `request-id`.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env";

/** The Anthropic-dialect routes (/v1/messages and below): Anthropic's error shape and `request-id` header. */
export function isAnthropicPath(path: string): boolean {
  return path === "/v1/messages" || path.startsWith("/v1/messages/");
}

export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = crypto.randomUUID();
  c.set("requestId", id);
  await next();
  const anthropic = isAnthropicPath(c.req.path);
  const set = (h: Headers) => {
    h.set("x-request-id", id);
    if (anthropic) h.set("request-id", id);
  };
  // Streams and upstream responses may come with immutable headers; rebuild only when needed.
  try {
    set(c.res.headers);
  } catch {
    c.res = new Response(c.res.body, c.res);
    set(c.res.headers);
  }
};
