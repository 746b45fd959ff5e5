// Route building blocks: every router is an OpenAPIHono whose zod schemas both validate and document.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "./env";
import { fromZodError } from "./errors";

/** A router whose validation failures become the one error shape (400, naming the field). */
export function createRouter<E extends AppEnv = AppEnv>() {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) throw fromZodError(result.error);
    },
  });
}

const ErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      code: z.string().nullable(),
      param: z.string().nullable(),
    }),
  })
  .openapi("Error");

/** A required JSON request body. Unknown fields are refused by the schema (z.strictObject). */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { body: { required: true, description, content: { "application/json": { schema } } } };
}

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

/** Anthropic's error shape, which the Anthropic-compatible routes (/v1/messages*) answer in. */
const AnthropicErrorSchema = z
  .object({
    type: z.literal("error"),
    error: z.object({
      type: z.string(),
      message: z.string(),
      code: z.string().optional(),
      param: z.string().optional(),
    }),
    request_id: z.string().optional(),
  })
  .openapi("AnthropicError");

/** The error responses most routes can give, documented once. */
export function errorResponses(...statuses: number[]) {
  return errorResponsesOf(ErrorSchema, statuses);
}

/** The same, in Anthropic's shape, for the Anthropic-compatible routes. */
export function anthropicErrorResponses(...statuses: number[]) {
  return errorResponsesOf(AnthropicErrorSchema, statuses);
}

function errorResponsesOf(schema: z.ZodType, statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: "Invalid request",
    401: "Missing or invalid credentials",
    402: "Out of credit",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    429: "Too many requests (see Retry-After)",
    502: "Upstream error",
    503: "Temporarily unavailable: nothing was changed; retry later",
    504: "Upstream timeout",
  };
  return Object.fromEntries(statuses.map((s) => [s, jsonContent(schema, descriptions[s] ?? "Error")]));
}

export const IsoDate = z.string().openapi({ format: "date-time", example: "2026-01-01T00:00:00.000Z" });
