// Early answers (a bad key, a 429, an unknown route, a 413 for an oversize body) leave the request body unread.
// workerd's HTTP server then closes the keep-alive connection after the response — without a `Connection: close`
// header — and a client still sending its body meets ECONNRESET instead of the answer (the official SDKs retry a
// reset, so a user saw retries and a network error instead of "Request body is too large"). So the rest of the
// body is read and discarded before answering, up to DISCARD_LIMIT; past it the body is cancelled and that
// connection closes, as it must. Every body limit (AI API 20 MiB, webhooks, /api and pages) is far below the
// bound, so any oversize body up to it gets its 413 in the route's dialect. A body refused while it was being
// read (no Content-Length) is discarded the same way by worker/body-limit.ts.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env";

/** Largest unread body read to the end so its answer arrives (documented in README: "Request bodies"). */
const DISCARD_LIMIT = 64 * 1024 * 1024;

/** Reads `reader` to its end and drops what it reads; `read` bytes were read before. Cancels past the bound. */
export async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, read = 0): Promise<void> {
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
      if (read > DISCARD_LIMIT) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away: nothing left to keep.
  }
}

export const drainUnreadBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const request = c.req.raw;
  await next();
  if (!request.body || request.bodyUsed) return;
  const length = Number(request.headers.get("content-length") ?? Number.NaN);
  if (length > DISCARD_LIMIT) {
    await request.body.cancel().catch(() => {});
    return;
  }
  await discardRest(request.body.getReader());
};
