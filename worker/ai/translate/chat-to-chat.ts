// OpenAI-dialect client → OpenAI-dialect provider: pass through, swapping the model id (the answer names the id
// the client asked for) and always asking for usage.
import { formatSse, type SseEvent } from "../sse";
import { withoutIdentity } from "./privacy";
import { StreamTranslatorBase } from "./stream-base";
import type { Json, Translation, TranslationContext, Usage } from "./types";

/** OpenAI's usage in ours: prompt_tokens counts every input token; the cache reads among them
 * (prompt_tokens_details.cached_tokens) and any cache writes a compatible provider reports are kept apart.
 * Reasoning tokens are inside completion_tokens: output. */
export function openaiUsage(usage: Json): Usage | undefined {
  if (!usage || typeof usage.prompt_tokens !== "number") return undefined;
  const details = usage.prompt_tokens_details ?? {};
  const count = (n: unknown) => (typeof n === "number" && n > 0 ? n : 0);
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens ?? 0,
    cachedInputTokens: count(details.cached_tokens),
    cacheWriteTokens: count(details.cache_write_tokens),
  };
}

/** Our usage in OpenAI's words (chat completions). */
export function openaiUsageOf(usage: Usage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
  };
}

/** The delta fields that carry generated text: an answer, a refusal, reasoning (billed as output). */
const GENERATED_TEXT = ["content", "refusal", "reasoning_content", "reasoning"] as const;

/** Characters of generated content in one chunk (text, refusals, reasoning and tool-call arguments). */
export function openaiChunkChars(chunk: Json): number {
  let n = 0;
  for (const choice of chunk.choices ?? []) {
    const delta = choice.delta ?? {};
    for (const field of GENERATED_TEXT) if (typeof delta[field] === "string") n += delta[field].length;
    for (const call of delta.tool_calls ?? []) n += call.function?.arguments?.length ?? 0;
  }
  return n;
}

/** One Chat Completions stream chunk of a single choice, as every translation into Chat Completions writes it. */
export function chatChunk(
  stream: { id: string; created: number; model: string },
  delta: Json,
  finish: string | null = null,
): string {
  return formatSse({
    id: stream.id,
    object: "chat.completion.chunk",
    created: stream.created,
    model: stream.model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
}

export function openaiError(message: string): string {
  return formatSse({ error: { message, type: "api_error", code: "upstream_stream_cut", param: null } });
}

export const chatToChat: Translation = {
  request(body, ctx) {
    const out: Record<string, unknown> = { ...withoutIdentity(body), model: ctx.model.upstreamModel };
    if (body.stream) out.stream_options = { ...(body.stream_options as object), include_usage: true };
    return out;
  },
  response(upstream, ctx) {
    return { body: { ...upstream, model: ctx.model.id }, usage: openaiUsage((upstream as Json).usage) };
  },
  stream: (ctx) => new PassThroughOpenAI(ctx),
};

class PassThroughOpenAI extends StreamTranslatorBase {
  constructor(private readonly ctx: TranslationContext) {
    super();
  }

  event(event: SseEvent): string {
    if (event.data === "[DONE]") {
      this.done = true;
      return event.raw;
    }
    let chunk: Json;
    try {
      chunk = JSON.parse(event.data);
    } catch {
      return event.raw;
    }
    this.chars += openaiChunkChars(chunk);
    if (chunk.model !== undefined) chunk.model = this.ctx.model.id;
    if (!chunk.usage) return formatSse(chunk);
    this.reported = openaiUsage(chunk.usage) ?? this.reported;
    if (this.ctx.includeUsage) return formatSse(chunk);
    // We asked for usage on the client's behalf: hide it as if we had not.
    if (!chunk.choices?.length) return "";
    const { usage: _usage, ...rest } = chunk;
    return formatSse(rest);
  }
  cut(message: string) {
    return openaiError(message);
  }
}
