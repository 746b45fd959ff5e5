// Configuration parsing that has rules of its own: AI_FALLBACKS ("model=a|b,model2=c").
import { describe, expect, it } from "vitest";
import { getConfig } from "#worker/config";

const fallbacks = (spec: string) => getConfig({ AI_FALLBACKS: spec } as unknown as Env).ai.fallbacks;

describe("AI_FALLBACKS", () => {
  it.each([
    ["", {}],
    ["openai/gpt-4o=anthropic/claude-haiku-4-5", { "openai/gpt-4o": ["anthropic/claude-haiku-4-5"] }],
    [
      " openai/gpt-4o = anthropic/claude-haiku-4-5 | openai/gpt-4o-mini ",
      { "openai/gpt-4o": ["anthropic/claude-haiku-4-5", "openai/gpt-4o-mini"] },
    ],
    ["a=b|c,d=e", { a: ["b", "c"], d: ["e"] }],
    ["a=b||c|", { a: ["b", "c"] }],
    ["no-equals,x=,=y", {}],
  ])("%j", (spec, expected) => {
    expect(fallbacks(spec)).toEqual(expected);
  });
});
