// What tokens cost: each class of token at its own catalogue price, in integer micro-USD.
import type { CatalogueModel } from "./model";

/** A price as catalogue.json and the operators' overrides write it: decimal USD per 1M tokens, at most 6 decimals. */
export const PRICE_PATTERN = /^\d{1,6}(\.\d{1,6})?$/;

/** Integer micro-USD of a decimal USD string ("0.075" → 75_000), without floating point. */
export function micros(usd: string): number {
  const [whole = "0", fraction = ""] = usd.split(".");
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, "0"));
}

/**
 * A request's tokens by price class. `inputTokens` counts every input token, cached or not (OpenAI's
 * prompt_tokens; Anthropic's input_tokens + cache reads + cache writes); cached reads and cache writes are the
 * parts of it billed at their own prices. Reasoning tokens are output.
 */
export type TokenCounts = {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
};

type Prices = Pick<
  CatalogueModel,
  "inputMicrosPerM" | "outputMicrosPerM" | "cachedInputMicrosPerM" | "cacheWriteMicrosPerM"
>;

/** Integer micro-USD for a request's tokens; rounded up once so a non-zero use never costs zero. */
export function costMicros(model: Prices, tokens: TokenCounts): number {
  const cached = Math.min(tokens.cachedInputTokens ?? 0, tokens.inputTokens);
  const written = Math.min(tokens.cacheWriteTokens ?? 0, tokens.inputTokens - cached);
  const uncached = tokens.inputTokens - cached - written;
  const terms: [number, number][] = [
    [uncached, model.inputMicrosPerM],
    [cached, model.cachedInputMicrosPerM],
    // A cache write the catalogue has no price for is billed as input (never below what the provider charged).
    [written, model.cacheWriteMicrosPerM ?? model.inputMicrosPerM],
    [tokens.outputTokens, model.outputMicrosPerM],
  ];
  // Exact in floating point: a request holds at most a few million tokens (every context is far below 10⁷),
  // and 10⁷ tokens at $180 per 1M is 1.8 × 10¹⁵ < 2⁵³.
  return Math.ceil(terms.reduce((n, [count, price]) => n + count * price, 0) / 1_000_000);
}
