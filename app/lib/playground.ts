// What the playground page and its server side agree on: the limits, and a conversation's turns — carried in
// the form itself (a hidden field), so several turns work without JavaScript too.
import { costMicros } from "#worker/ai/catalogue/prices";

/** The longest prompt the playground sends. */
export const PROMPT_MAX = 20_000;
/** The longest system prompt. */
export const SYSTEM_MAX = 10_000;
/** Turns kept in one conversation (questions and answers); start a new one for more. */
export const TURNS_MAX = 40;
export const TEMPERATURE_MAX = 2;
export const MAX_TOKENS_MAX = 32_000;

/** One turn: a question, or an answer with what it used and cost. */
export type Turn = {
  role: "user" | "assistant";
  content: string;
  requestId?: string | null;
  inputTokens?: number;
  outputTokens?: number;
  costMicros?: number;
};

/** A model's prices as the page gets them (per million tokens, micro-USD). */
export type PlaygroundModel = {
  id: string;
  inputMicrosPerM: number;
  outputMicrosPerM: number;
  cachedInputMicrosPerM: number;
  cacheWriteMicrosPerM: number | null;
};

/** An OpenAI-style usage object (non-streamed body, or a stream's last chunk). */
export type ChatUsage = {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
};

/** The answer's turn: its tokens and its cost at the catalogue's prices (what the request log bills). */
export function answerTurn(
  content: string,
  requestId: string | null,
  model: PlaygroundModel | undefined,
  usage: ChatUsage | null | undefined,
): Turn {
  const inputTokens = usage?.prompt_tokens ?? 0;
  const outputTokens = usage?.completion_tokens ?? 0;
  const cachedInputTokens = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    role: "assistant",
    content,
    requestId,
    inputTokens,
    outputTokens,
    costMicros: model ? costMicros(model, { inputTokens, outputTokens, cachedInputTokens }) : 0,
  };
}
