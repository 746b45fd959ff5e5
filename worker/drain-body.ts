// Early answers (a bad key, a 429, an unknown route) leave the request body unread. workerd's HTTP server then
// closes the keep-alive connection after the response — without a `Connection: close` header — so a client that
// reuses the pooled connection meets ECONNRESET. Reading the rest of the body before answering keeps the
// connection reusable; past DRAIN_LIMIT the body is cancelled instead (that connection closes, as it must).
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env";

/** Largest unread body we read to the end to keep the connection: the AI API's body limit, plus headroom. */
const DRAIN_LIMIT = 21 * 1024 * 1024;

async function drain(body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
      if (read > DRAIN_LIMIT) {
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
  if (length > DRAIN_LIMIT) {
    await request.body.cancel().catch(() => {});
    return;
  }
  await drain(request.body);
};
