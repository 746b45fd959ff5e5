// Cost maths: integer micro-USD from the catalogue's per-million prices, rounded up so a non-zero use
// never costs zero; token estimates when a provider reports none.
import { describe, expect, it } from "vitest";
import { type CatalogueModel, costMicros, findModel } from "#worker/ai/catalogue";
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
  ])("%s: %i in, %i out → %i µ$", (id, input, output, micros) => {
    expect(costMicros(model(id), input, output)).toBe(micros);
  });

  it("is exact in integers however large the count", () => {
    const m = model("openai/gpt-4.1");
    expect(costMicros(m, 1_000_000_000, 1_000_000_000)).toBe(10_000_000_000); // $2,000 + $8,000
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
