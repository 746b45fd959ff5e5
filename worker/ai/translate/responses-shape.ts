// The Responses API's answer shape (openai-node's `Response`), built for answers translated from another
// dialect: status, output items, usage, and the request's own settings echoed back as OpenAI does.
import { formatSse } from "../sse";
import type { Json, TranslationContext, Usage } from "./types";

function responsesUsage(usage: Usage | undefined): Json {
  if (!usage) return null;
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: {
      cached_tokens: usage.cachedInputTokens ?? 0,
      cache_write_tokens: usage.cacheWriteTokens ?? 0,
    },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** Usage from a Responses answer or its final event (input_tokens / output_tokens). */
export function usageFromResponses(usage: Json): Usage | undefined {
  if (!usage || typeof usage.input_tokens !== "number") return undefined;
  const cached = usage.input_tokens_details?.cached_tokens;
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens ?? 0,
    cachedInputTokens: typeof cached === "number" && cached > 0 ? cached : 0,
  };
}

/** A function tool as OpenAI echoes it: every field named (strict is null: no provider here enforces it). */
const echoedTool = (tool: Json): Json =>
  tool.type === "function"
    ? { description: null, parameters: null, ...tool, strict: tool.strict ?? null }
    : tool;

export function responseObject(
  ctx: TranslationContext,
  fields: { id: string; status: string; output: Json[]; usage?: Usage },
): Json {
  const body = ctx.body as Json;
  return {
    id: fields.id,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status: fields.status,
    error: null,
    incomplete_details: fields.status === "incomplete" ? { reason: "max_output_tokens" } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: ctx.model.id,
    output: fields.output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: null,
    store: false,
    temperature: body.temperature ?? null,
    text: body.text ?? { format: { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: ((body.tools as Json[] | undefined) ?? []).map(echoedTool),
    top_p: body.top_p ?? null,
    truncation: "disabled",
    usage: responsesUsage(fields.usage),
    metadata: {},
  };
}

/** The Responses stream's error event. */
export function responsesError(message: string, sequence: number): string {
  return formatSse(
    { type: "error", code: "upstream_stream_cut", message, param: null, sequence_number: sequence },
    "error",
  );
}
