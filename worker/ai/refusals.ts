// Requests refused with a valid key (400 bad input, 402 out of credit, 404 unknown model or route, 413, 429)
// become usage rows too — status, request id, zero tokens and cost — so the request log and its error count
// show them. Written after the response (waitUntil), through the same usage-row path as every request.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { toAppError } from "../errors";
import { log } from "../observability/log";
import { failureOf } from "../request-log/failure";
import { recordUsage } from "../usage/record";

const RECORDED = new Set([400, 402, 404, 413, 429]);
const ENDPOINTS: Record<string, string> = {
  "/v1/chat/completions": "chat.completions",
  "/v1/messages": "messages",
  "/v1/messages/count_tokens": "messages.count_tokens",
  "/v1/embeddings": "embeddings",
  "/v1/responses": "responses",
  "/v1/audio/transcriptions": "audio.transcriptions",
  "/v1/models": "models",
};

/** The validated body, when validation got that far (never parsed again here). */
function validated(c: Parameters<MiddlewareHandler<AppEnv>>[0]): { model?: unknown; stream?: unknown } {
  try {
    return (c.req.valid("json" as never) as { model?: unknown; stream?: unknown } | undefined) ?? {};
  } catch {
    return {};
  }
}

export const recordRefusals: MiddlewareHandler<AppEnv> = async (c, next) => {
  const startedAt = Date.now();
  await next();
  const key = c.get("apiKey");
  if (!key || !RECORDED.has(c.res.status)) return;
  // Upstream refusals went through the gateway, which metered them already.
  if (c.error && toAppError(c.error).options.code?.startsWith("upstream_")) return;
  const body = validated(c);
  const row = {
    id: c.get("requestId"),
    accountId: key.accountId,
    keyId: key.keyId,
    source: "api",
    endpoint: ENDPOINTS[c.req.path] ?? "other",
    model: typeof body.model === "string" ? body.model.slice(0, 200) : "",
    provider: "none",
    inputTokens: 0,
    outputTokens: 0,
    costMicros: 0,
    latencyMs: Date.now() - startedAt,
    status: c.res.status,
    streamed: body.stream === true,
    estimated: false,
    createdAt: Date.now(),
    ...(c.error ? failureOf(toAppError(c.error)) : {}),
  };
  c.executionCtx.waitUntil(
    recordUsage(c.env, row).catch((error: unknown) => log.error("refusal record failed", { error })),
  );
};
