// The request log's shapes, declared once: the zod schemas document /api/requests, and the types the log
// and the content reader return are derived from them.
import { z } from "@hono/zod-openapi";
import { IsoDate } from "../openapi";

export const Entry = z
  .object({
    id: z.string().openapi({ description: "The request id (the response's x-request-id)" }),
    createdAt: IsoDate,
    keyId: z.string().nullable(),
    keyLabel: z.string(),
    source: z.string(),
    endpoint: z.string(),
    model: z.string().openapi({ description: "The model that answered" }),
    requestedModel: z
      .string()
      .nullable()
      .openapi({ description: "The model asked for, when a fallback answered" }),
    fallbackUsed: z.boolean(),
    provider: z.string(),
    status: z.number().int(),
    streamed: z.boolean(),
    estimated: z.boolean(),
    inputTokens: z.number().int().openapi({ description: "Every input token, cached or not" }),
    outputTokens: z.number().int(),
    cachedInputTokens: z
      .number()
      .int()
      .openapi({ description: "Of the input tokens, those read from the provider's prompt cache" }),
    cacheWriteTokens: z
      .number()
      .int()
      .openapi({ description: "Of the input tokens, those written to the provider's prompt cache" }),
    costMicros: z.number().int(),
    cost: z.number().openapi({ description: "USD" }),
    latencyMs: z.number().int(),
    firstTokenMs: z.number().int().nullable().openapi({
      description:
        "Time to first token, ms: until the answer began to reach the client (a stream's first event was relayed; a whole answer left). null when no answer began, and on rows logged before it was kept",
    }),
    outputTokensPerSecond: z.number().nullable().openapi({
      description:
        "Output tokens a second: a stream's after its first token, a whole answer's over the whole request. null without output",
    }),
    errorCode: z
      .string()
      .nullable()
      .openapi({ description: "A failed request's error code, as answered (null when it has none)" }),
    errorMessage: z.string().nullable().openapi({
      description:
        "A failed request's error message as we answered it; for a provider's failure, our sentence for its code (never the provider's text)",
    }),
  })
  .openapi("RequestLogEntry");

export const Content = z
  .object({
    request: z.string().openapi({ description: "The request body as sent (JSON text)" }),
    response: z.string().openapi({ description: "The response body (JSON, or the event stream's text)" }),
    responseText: z.string().nullable().openapi({ description: "A stream's text, decoded from its events" }),
  })
  .openapi("RequestContent");

export type RequestEntry = z.infer<typeof Entry>;
export type RequestContent = z.infer<typeof Content>;
