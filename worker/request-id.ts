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
  const random = randomBytes();
  let id = "";
  for (let i = 0; i < 6; i++) {
    id += (i === 4 ? "-" : "") + HEX[Math.floor(now / 2 ** (8 * (5 - i))) & 0xff];
  }
  const at = taken;
  for (let i = 6; i < 16; i++) {
    let byte = random[at + i]!;
    if (i === 6) byte = 0x70 | (byte & 0x0f);
    else if (i === 8) byte = 0x80 | (byte & 0x3f);
    id += (i === 6 || i === 8 || i === 10 ? "-" : "") + HEX[byte];
  }
  return id;
}

/** Random bytes drawn from the CSPRNG 4 KiB at a time (one call and one buffer per 256 ids, not per id); each id
 * takes its own 16-byte slice, never reused. */
const POOL = 4096;
let pool = new Uint8Array(0);
/** Where the last id's slice of the pool starts. */
let taken = POOL;

function randomBytes(): Uint8Array {
  taken += 16;
  if (taken >= pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL));
    taken = 0;
  }
  return pool;
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
