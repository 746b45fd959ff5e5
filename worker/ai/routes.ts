// /v1: the AI API (OpenAI- and Anthropic-compatible), authenticated by API key and limited per key.

import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "../body-limit";
import { loggingPolicy } from "../content/capture";
import type { ApiKeyEnv } from "../env";
import { AppError } from "../errors";
import { requireApiKey } from "../keys/middleware";
import { guardStream } from "../keys/stream-guard";
import { anthropicErrorResponses, createRouter, errorResponses, jsonBody, jsonContent } from "../openapi";
import { availableModels, providerPolicy } from "./catalogue";
import { modelEntry } from "./catalogue/entry";
import { requireModel } from "./catalogue/require";
import { countTokens } from "./count-tokens";
import { effectivePolicies, violatedPolicy } from "./data-policy/rules";
import { type AiCall, runAi } from "./gateway";
import { rateLimitPerKey } from "./rate-limit";
import { recordRefusals } from "./refusals";
import {
  AnyJson,
  ChatRequest,
  CountTokensRequest,
  EmbeddingsRequest,
  MessagesRequest,
  Model,
  ResponsesRequest,
} from "./schemas";
import { authed, timing } from "./timing";
import { registerTranscriptions } from "./transcription/route";
import { validJson } from "./validation/json-body";

const AI_BODY_LIMIT = 20 * 1024 * 1024;

// Typed as after requireApiKey, which the use() below installs ahead of every route.
export const aiRoutes = createRouter<ApiKeyEnv>();
aiRoutes.use(
  "*",
  // The arrival first (the overhead header covers authentication too), and Server-Timing when asked for.
  timing,
  // The key first (it reads no body), so refusals with a valid key — 413 included — are recorded.
  requireApiKey,
  recordRefusals,
  bodyLimit({
    maxSize: AI_BODY_LIMIT,
    onError: () => {
      throw new AppError(413, "Request body is too large.", { code: "body_too_large" });
    },
  }),
  rateLimitPerKey,
  authed,
);

const AI_ERRORS = [400, 401, 402, 403, 404, 413, 415, 429, 502, 504] as const;
const aiErrors = errorResponses(...AI_ERRORS);
const streamOrJson = (description: string) => ({
  description,
  content: { "application/json": { schema: AnyJson }, "text/event-stream": { schema: z.string() } },
});

/** A catalogue model as the model list and the single-model route show it. */
function call(
  c: Context<ApiKeyEnv>,
  fields: Pick<AiCall, "operation" | "endpoint" | "clientDialect" | "body">,
) {
  // c.get, not c.var: hono builds c.var as a new object of every context variable on each read.
  const key = c.get("apiKey");
  return runAi(c.env, c.executionCtx as ExecutionContext, {
    ...fields,
    accountId: key.accountId,
    keyId: key.keyId,
    spendLimitMicros: key.monthlySpendLimitMicros,
    keyDataPolicy: key.dataPolicy,
    byokProviders: key.byokProviders,
    guardStream: () => guardStream(c.get("db"), key),
    source: "api",
    startedAt: c.get("arrivedAt") ?? Date.now(),
    timing: c.get("timing"),
    requestId: c.get("requestId"),
    onMeter: () => c.set("metered", true),
  });
}

aiRoutes.openapi(
  createRoute({
    method: "get",
    path: "/models",
    tags: ["AI"],
    summary:
      "List the models you can call — those whose providers' data policies your account's and key's data policy allow — with their limits, prices and data policies",
    security: [{ apiKey: [] }],
    responses: {
      200: jsonContent(z.object({ object: z.literal("list"), data: z.array(Model) }), "Models"),
      ...errorResponses(401, 429),
    },
  }),
  async (c) => {
    const key = c.var.apiKey;
    const account = await loggingPolicy(c.env, key.accountId, (work) => c.executionCtx.waitUntil(work));
    const policies = effectivePolicies(account.dataPolicy, key.dataPolicy);
    const allowed = availableModels(c.var.config).filter(
      (m) => violatedPolicy(policies, providerPolicy(m.provider)) === undefined,
    );
    return c.json({ object: "list" as const, data: allowed.map(modelEntry) }, 200);
  },
);

// One model: its id holds a "/" (openai/gpt-4o-mini), which an OpenAPI path parameter cannot match, so the route
// is plain Hono with a catch-all parameter and documented beside it.
aiRoutes.openAPIRegistry.registerPath({
  method: "get",
  path: "/v1/models/{id}",
  tags: ["AI"],
  summary:
    "One model you can call (OpenAI's models.retrieve): its id contains '/' (openai/gpt-4o-mini); a bare name resolves when one model has it",
  security: [{ apiKey: [] }],
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: jsonContent(Model, "The model"), ...errorResponses(401, 404, 429) },
});
aiRoutes.get("/models/:id{.+}", (c) =>
  c.json(modelEntry(requireModel(c.var.config, c.req.param("id"))), 200),
);

aiRoutes.openAPIRegistry.registerPath(
  createRoute({
    method: "post",
    path: "/chat/completions",
    tags: ["AI"],
    summary: "Create a chat completion (OpenAI-compatible; `stream: true` for server-sent events)",
    security: [{ apiKey: [] }],
    request: jsonBody(ChatRequest),
    responses: { 200: streamOrJson("The completion, or its chunks as server-sent events"), ...aiErrors },
  }),
);
aiRoutes.post("/chat/completions", validJson(ChatRequest), (c) =>
  call(c, {
    operation: "chat",
    endpoint: "chat.completions",
    clientDialect: "openai",
    body: c.req.valid("json"),
  }),
);

aiRoutes.openAPIRegistry.registerPath(
  createRoute({
    method: "post",
    path: "/messages",
    tags: ["AI"],
    summary: "Create a message (Anthropic Messages-compatible; `stream: true` for server-sent events)",
    security: [{ apiKey: [] }],
    request: jsonBody(MessagesRequest),
    responses: {
      200: streamOrJson("The message, or its events as server-sent events"),
      ...anthropicErrorResponses(...AI_ERRORS),
    },
  }),
);
aiRoutes.post("/messages", validJson(MessagesRequest), (c) =>
  call(c, { operation: "chat", endpoint: "messages", clientDialect: "anthropic", body: c.req.valid("json") }),
);

aiRoutes.openAPIRegistry.registerPath(
  createRoute({
    method: "post",
    path: "/embeddings",
    tags: ["AI"],
    summary: "Create embeddings (OpenAI-compatible)",
    security: [{ apiKey: [] }],
    request: jsonBody(EmbeddingsRequest),
    responses: { 200: jsonContent(AnyJson, "The embeddings"), ...aiErrors },
  }),
);
aiRoutes.post("/embeddings", validJson(EmbeddingsRequest), (c) =>
  call(c, {
    operation: "embeddings",
    endpoint: "embeddings",
    clientDialect: "openai",
    body: c.req.valid("json"),
  }),
);

aiRoutes.openAPIRegistry.registerPath(
  createRoute({
    method: "post",
    path: "/responses",
    tags: ["AI"],
    summary:
      "Create a response (OpenAI Responses API-compatible, stateless: `store` and `previous_response_id` are refused; `stream: true` for typed server-sent events)",
    security: [{ apiKey: [] }],
    request: jsonBody(ResponsesRequest),
    responses: { 200: streamOrJson("The response, or its events as server-sent events"), ...aiErrors },
  }),
);
aiRoutes.post("/responses", validJson(ResponsesRequest), (c) =>
  call(c, {
    operation: "responses",
    endpoint: "responses",
    clientDialect: "openai",
    body: c.req.valid("json"),
  }),
);

aiRoutes.openAPIRegistry.registerPath(
  createRoute({
    method: "post",
    path: "/messages/count_tokens",
    tags: ["AI"],
    summary:
      "Count a message's input tokens (Anthropic-compatible): exact for Anthropic models, an estimate (≈4 characters a token) for others; not billed",
    security: [{ apiKey: [] }],
    request: jsonBody(CountTokensRequest),
    responses: {
      200: jsonContent(z.object({ input_tokens: z.number().int() }), "The count"),
      ...anthropicErrorResponses(400, 401, 403, 404, 413, 415, 429, 502, 504),
    },
  }),
);
aiRoutes.post("/messages/count_tokens", validJson(CountTokensRequest), async (c) => {
  const { input_tokens, method } = await countTokens(c.env, c.req.valid("json"));
  c.header("x-token-count", method);
  return c.json({ input_tokens }, 200);
});

// POST /v1/audio/transcriptions: a multipart upload, in its own folder (worker/ai/transcription/).
registerTranscriptions(aiRoutes);
