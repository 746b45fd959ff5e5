// Hono's bodyLimit, except for a body without a Content-Length (chunked): past the limit the rest of it is read
// and discarded (up to drain-body.ts's bound) before the refusal is answered, so the 413 reaches a client that is
// still sending instead of a connection closed under it. Hono's version stops reading and keeps the stream locked,
// where nothing can drain it. A body with a Content-Length over the limit is refused before it is read, and the
// front's drain (worker/drain-body.ts) reads it after the answer is produced.
import type { Context, MiddlewareHandler } from "hono";
import { discardRest } from "./drain-body";

type Options = { maxSize: number; onError: (c: Context) => Response | Promise<Response> };

export function bodyLimit({ maxSize, onError }: Options): MiddlewareHandler {
  return async (c, next) => {
    const request = c.req.raw;
    if (!request.body) return next();
    const declared = request.headers.get("content-length");
    if (declared !== null && !request.headers.has("transfer-encoding")) {
      return Number.parseInt(declared, 10) > maxSize ? onError(c) : next();
    }
    const reader = request.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxSize) {
        await discardRest(reader, size);
        return onError(c);
      }
      chunks.push(value);
    }
    const whole = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      whole.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(request, { body: whole });
    return next();
  };
}
