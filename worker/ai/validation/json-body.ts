// The AI API's JSON body validator: the same gates and the same refusals as @hono/zod-openapi's validator for a
// required JSON body (415 for another media type, 400 for malformed JSON, zod's first issue as the one error
// shape), but the body is parsed once and the predicate compiled from the route's schema (fits.ts) accepts it as
// it is — zod runs only when the predicate says no, and then its output or its error is what counts.
import type { z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { fromZodError } from "../../errors";
import { compileFits } from "./fits";

// The two checks @hono/zod-openapi 1.6.3 and hono's validator make, in the same order.
const DECLARED_JSON = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

const unsupported = () => new HTTPException(415, { message: "Unsupported Media Type" });

/** Whether a request without a Content-Type carries a body (an empty one is no body). */
async function hasBody(c: Context): Promise<boolean> {
  const raw = c.req.raw;
  if (raw.body === null) return false;
  return (await c.req.arrayBuffer()).byteLength > 0;
}

/**
 * Validates a required JSON body against `schema`; the handler reads it with `c.req.valid("json")`. The route is
 * documented apart (openAPIRegistry.registerPath) with the same schema.
 */
export function validJson<T extends z.ZodType, E extends object = object>(
  schema: T,
): MiddlewareHandler<E & {}, string, { in: { json: z.input<T> }; out: { json: z.output<T> } }> {
  const fits = compileFits(schema);
  return async (c, next) => {
    const contentType = c.req.header("content-type");
    if (contentType ? !DECLARED_JSON.test(contentType) : await hasBody(c)) throw unsupported();
    let value: unknown = {};
    const mediaType = contentType ? contentType.split(";")[0]!.trim() : "";
    if (JSON_MEDIA_TYPE.test(mediaType)) {
      try {
        value = await c.req.json();
      } catch {
        throw new HTTPException(400, { message: "Malformed JSON in request body" });
      }
    }
    if (!fits(value)) {
      const result = await schema.safeParseAsync(value);
      if (!result.success) throw fromZodError(result.error);
      value = result.data;
    }
    c.req.addValidatedData("json", value as object);
    await next();
  };
}
