// Facts about Gemini's wire format shared by its translations: usage (usageMetadata), finish reasons and blocks.
import type { Json, Usage } from "../types";

const count = (n: unknown) => (typeof n === "number" && n > 0 ? n : 0);

/**
 * Gemini's usageMetadata in ours. promptTokenCount counts every prompt token, the ones read from the context cache
 * (cachedContentTokenCount) among them; tool-use prompt tokens are input too. Thinking tokens
 * (thoughtsTokenCount) are billed as output beside candidatesTokenCount.
 */
export function geminiUsage(usage: Json): Partial<Usage> {
  if (!usage || typeof usage.promptTokenCount !== "number") return {};
  return {
    inputTokens: usage.promptTokenCount + count(usage.toolUsePromptTokenCount),
    cachedInputTokens: count(usage.cachedContentTokenCount),
    cacheWriteTokens: 0,
    outputTokens: count(usage.candidatesTokenCount) + count(usage.thoughtsTokenCount),
  };
}

/** Thinking tokens, told to OpenAI-dialect clients as completion_tokens_details.reasoning_tokens. */
export const reasoningTokens = (usage: Json) => count(usage?.thoughtsTokenCount);

/** Finish reasons that mean the answer was withheld or cut by the provider's safety or policy filters. */
const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "LANGUAGE",
]);

/** Gemini's finishReason as OpenAI's finish_reason (Anthropic clients get it mapped once more). */
export function finishReasonOf(reason: string | undefined, calledTools: boolean): string | null {
  if (!reason) return null;
  if (reason === "MAX_TOKENS") return "length";
  if (FILTERED.has(reason)) return "content_filter";
  return calledTools ? "tool_calls" : "stop";
}

/** Why Gemini refused the prompt itself (promptFeedback.blockReason), when it did. */
export const promptBlock = (response: Json): string | undefined => response?.promptFeedback?.blockReason;

/** The message a client gets in place of an answer Gemini withheld. */
export const blockedMessage = (reason: string) =>
  `The provider's safety filters withheld the answer (${reason}).`;

/** The parts of a candidate that are the answer (thought summaries are not). */
export const answerParts = (candidate: Json): Json[] =>
  ((candidate?.content?.parts ?? []) as Json[]).filter((p) => !p.thought);
