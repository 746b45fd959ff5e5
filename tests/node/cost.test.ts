// Cost maths: integer micro-USD from the catalogue's per-million prices, rounded up so a non-zero use
// never costs zero; token estimates when a provider reports none.
import { describe, expect, it } from "vitest";
import { findModel } from "#worker/ai/catalogue";
import type { CatalogueModel } from "#worker/ai/catalogue/model";
import { costMicros, micros } from "#worker/ai/catalogue/prices";
import { estimateTokens, textLength } from "#worker/ai/tokens";
import { getConfig } from "#worker/config";

const config = getConfig({ OPENAI_API_KEY: "sk-test", ANTHROPIC_API_KEY: "sk-ant-test" } as unknown as Env);
const model = (id: string): CatalogueModel => {
  const m = findModel(config, id);
  if (!m) throw new Error(`no model ${id}`);
  return m;
};

describe("costMicros", () => {
  it.each([
    // model, input tokens, output tokens, micro-USD
    ["openai/gpt-4o-mini", 0, 0, 0],
    ["openai/gpt-4o-mini", 1_000_000, 0, 150_000],
    ["openai/gpt-4o-mini", 0, 1_000_000, 600_000],
    ["openai/gpt-4o-mini", 1, 0, 1], // 0.15 µ$ rounds up to 1: a use is never free
    ["openai/gpt-4o-mini", 1_000, 500, 450], // 150 + 300
    ["openai/gpt-4o", 1_234, 567, 8_755], // ceil(3085 + 5670)
    ["anthropic/claude-sonnet-4-5", 10_000, 2_000, 60_000], // 30,000 + 30,000
    ["anthropic/claude-haiku-4-5", 3, 5, 28], // 3 + 25
    ["openai/text-embedding-3-small", 1_000_000, 0, 20_000],
  ])("%s: %i in, %i out → %i µ$", (id, input, output, expected) => {
    expect(costMicros(model(id), { inputTokens: input, outputTokens: output })).toBe(expected);
  });

  it("is exact in integers however large the count", () => {
    const m = model("openai/gpt-4.1");
    expect(costMicros(m, { inputTokens: 1e9, outputTokens: 1e9 })).toBe(10_000_000_000); // $2,000 + $8,000
  });

  it.each([
    // model, input (all), cached reads, cache writes, output, micro-USD
    // OpenAI: 1,000 input of which 800 cached → 200 × $0.15 + 800 × $0.075 per 1M = 30 + 60; 100 out = 60
    ["openai/gpt-4o-mini", 1_000, 800, 0, 100, 150],
    // the same with nothing cached would be 150 + 60
    ["openai/gpt-4o-mini", 1_000, 0, 0, 100, 210],
    // Anthropic: 10 uncached × $3 + 1,000 read × $0.30 + 2,000 written × $3.75 + 100 out × $15 (per 1M)
    ["anthropic/claude-sonnet-4-5", 3_010, 1_000, 2_000, 100, 9_330], // 30 + 300 + 7,500 + 1,500
    // Haiku 4.5: 100,000 read × $0.10 = 10,000 (not the 100,000 of full-price input)
    ["anthropic/claude-haiku-4-5", 100_000, 100_000, 0, 0, 10_000],
  ])("%s: %i in (%i cached, %i written), %i out → %i µ$", (id, input, cached, written, output, expected) => {
    expect(
      costMicros(model(id), {
        inputTokens: input,
        cachedInputTokens: cached,
        cacheWriteTokens: written,
        outputTokens: output,
      }),
    ).toBe(expected);
  });

  it("bills a cache write with no catalogue price as input, and never more cache than input", () => {
    const m = model("openai/gpt-4o-mini"); // OpenAI has no cache-write price
    expect(costMicros(m, { inputTokens: 1_000_000, cacheWriteTokens: 1_000_000, outputTokens: 0 })).toBe(
      150_000,
    );
    expect(costMicros(m, { inputTokens: 10, cachedInputTokens: 1_000_000, outputTokens: 0 })).toBe(1);
  });

  it.each([
    ["0", 0],
    ["0.075", 75_000],
    ["2.50", 2_500_000],
    ["0.000001", 1],
    ["150", 150_000_000],
  ])("reads the price %s exactly as %i µ$", (usd, expected) => {
    expect(micros(usd)).toBe(expected);
  });
});

describe("token estimates", () => {
  it.each([
    [0, 0],
    [1, 1],
    [4, 1],
    [5, 2],
    [400, 100],
  ])("%i characters → %i tokens", (chars, tokens) => {
    expect(estimateTokens(chars)).toBe(tokens);
  });

  it.each([
    ["a string", "hello", 5],
    ["nested strings only", { a: "ab", b: ["cd", { c: "e" }], n: 12345 }, 5],
    ["nothing", null, 0],
  ])("textLength of %s", (_name, value, n) => {
    expect(textLength(value)).toBe(n);
  });
});
