// Facts about Bedrock's Converse wire format shared by its translations: usage and stop reasons.
import type { Json, Usage } from "../types";

const count = (n: unknown) => (typeof n === "number" && n > 0 ? n : 0);

/**
 * Converse's usage in ours. `inputTokens` is the uncached input only: the tokens read from the prompt cache
 * (cacheReadInputTokens) and written to it (cacheWriteInputTokens) are counted beside it, as Anthropic counts
 * them, so our input is their sum.
 */
export function converseUsage(usage: Json): Partial<Usage> {
  if (!usage || typeof usage.inputTokens !== "number") return {};
  const read = count(usage.cacheReadInputTokens);
  const written = count(usage.cacheWriteInputTokens);
  return {
    inputTokens: usage.inputTokens + read + written,
    cachedInputTokens: read,
    cacheWriteTokens: written,
    outputTokens: count(usage.outputTokens),
  };
}

/** Converse's stopReason as OpenAI's finish_reason (Anthropic clients get it mapped once more). */
export function finishReasonOf(reason: string | undefined): string | null {
  if (!reason) return null;
  if (reason === "tool_use") return "tool_calls";
  if (reason === "max_tokens" || reason === "model_context_window_exceeded") return "length";
  if (reason === "guardrail_intervened" || reason === "content_filtered") return "content_filter";
  return "stop";
}

/** The message a client gets in place of an answer Bedrock withheld. */
export const filteredMessage = (reason: string) =>
  `The provider's content filters withheld the answer (${reason}).`;
