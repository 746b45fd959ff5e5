// Request ids: one per request, minted on arrival, sent back on every answer (errors included) and stored as
// the usage row's id, so a user can quote it to support. Anthropic routes also get Anthropic's `request-id`.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env";

/** The Anthropic-dialect routes (/v1/messages and below): Anthropic's error shape and `request-id` header. */
export function isAnthropicPath(path: string): boolean {
  return path === "/v1/messages" || path.startsWith("/v1/messages/");
}

/** Each byte's two hex digits, built once: an id is 16 lookups, not 16 `toString` and `padStart` calls. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/**
 * A UUIDv7: 48 bits of the time in ms, then 74 random bits. The time lets the request log find a request's
 * row among its sealed segments by id alone (ADR 090); the random bits keep ids unguessable.
 * @internal
 */
export function newRequestId(now = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(now / 2 ** (8 * (5 - i))) & 0xff;
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  let id = "";
  for (let i = 0; i < 16; i++) id += (i === 4 || i === 6 || i === 8 || i === 10 ? "-" : "") + HEX[bytes[i]!];
  return id;
}

export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = newRequestId();
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
