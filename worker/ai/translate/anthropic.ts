// Facts about the Anthropic wire format shared by the translations: usage, stop reasons, stream events.
import type { Json, Usage } from "./types";

/** Anthropic's usage in ours: its input_tokens are the uncached part, so every input token is input_tokens plus
 * the cache reads and cache writes, which are kept apart to be billed at their own prices. */
export function anthropicUsage(usage: Json): Partial<Usage> {
  if (!usage) return {};
  const out: Partial<Usage> = {};
  const read = typeof usage.cache_read_input_tokens === "number" ? usage.cache_read_input_tokens : 0;
  const written =
    typeof usage.cache_creation_input_tokens === "number" ? usage.cache_creation_input_tokens : 0;
  if (typeof usage.input_tokens === "number") {
    out.inputTokens = usage.input_tokens + read + written;
    out.cachedInputTokens = read;
    out.cacheWriteTokens = written;
  }
  if (typeof usage.output_tokens === "number") out.outputTokens = usage.output_tokens;
  return out;
}

export function complete(usage: Partial<Usage>): Usage | undefined {
  return usage.inputTokens !== undefined && usage.outputTokens !== undefined
    ? {
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        cachedInputTokens: usage.cachedInputTokens ?? 0,
        cacheWriteTokens: usage.cacheWriteTokens ?? 0,
      }
    : undefined;
}

/** Our usage in Anthropic's words: input_tokens is the uncached part, the cache reads and writes beside it. */
export function anthropicUsageOf(usage: Partial<Usage> | undefined) {
  const cached = usage?.cachedInputTokens ?? 0;
  const written = usage?.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.inputTokens ?? 0) - cached - written),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
    output_tokens: usage?.outputTokens ?? 0,
  };
}

const toOpenAI: Record<string, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};
const toAnthropic: Record<string, string> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  function_call: "tool_use",
  content_filter: "refusal",
};

export const finishReasonFor = (stop: string | null | undefined) =>
  stop ? (toOpenAI[stop] ?? "stop") : null;
export const stopReasonFor = (finish: string | null | undefined) =>
  finish ? (toAnthropic[finish] ?? "end_turn") : null;

/** Characters of generated content in one Anthropic stream event. */
export function anthropicEventChars(event: Json): number {
  if (event.type !== "content_block_delta") return 0;
  const d = event.delta ?? {};
  return (d.text?.length ?? 0) + (d.partial_json?.length ?? 0) + (d.thinking?.length ?? 0);
}
