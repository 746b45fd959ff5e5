// The models page's search and sort (app/lib/model-search.ts): every word must match, the order is the one
// asked for with ties by id, and an address with nonsense in it shows the catalogue's order.
import { describe, expect, it } from "vitest";
import type { ModelRow } from "../../app/components/ModelTable";
import { modelSearch, searchModels } from "../../app/lib/model-search";

const row = (id: string, provider: string, input: number, output: number, context: number): ModelRow => ({
  id,
  provider,
  kind: "chat",
  contextTokens: context,
  maxOutputTokens: 4_096,
  inputMicrosPerM: input,
  cachedInputMicrosPerM: input / 2,
  cacheWriteMicrosPerM: null,
  outputMicrosPerM: output,
  policy:
    provider === "Anthropic" ? "no training · kept up to 30 days · us" : "no training · zero retention · us",
});
const MODELS = [
  row("openai/gpt-4o-mini", "OpenAI", 150_000, 600_000, 128_000),
  row("anthropic/claude-haiku-4-5", "Anthropic", 1_000_000, 5_000_000, 200_000),
  row("anthropic/claude-sonnet-4-5", "Anthropic", 3_000_000, 15_000_000, 200_000),
  row("openai/gpt-4o", "OpenAI", 2_500_000, 10_000_000, 128_000),
];
const ids = (p: string) => searchModels(MODELS, modelSearch(new URLSearchParams(p))).map((m) => m.id);

describe("model search", () => {
  it("matches every word in id, provider or data policy, in any case", () => {
    expect(ids("q=CLAUDE")).toEqual(["anthropic/claude-haiku-4-5", "anthropic/claude-sonnet-4-5"]);
    expect(ids("q=openai+mini")).toEqual(["openai/gpt-4o-mini"]);
    expect(ids("q=zero+retention")).toEqual(["openai/gpt-4o", "openai/gpt-4o-mini"]);
    expect(ids("q=nothing-like-it")).toEqual([]);
  });

  it("sorts by price or context, either way, ties by id", () => {
    expect(ids("sort=input")).toEqual([
      "openai/gpt-4o-mini",
      "anthropic/claude-haiku-4-5",
      "openai/gpt-4o",
      "anthropic/claude-sonnet-4-5",
    ]);
    expect(ids("sort=output&dir=desc")[0]).toBe("anthropic/claude-sonnet-4-5");
    expect(ids("sort=context&dir=desc")).toEqual([
      "anthropic/claude-haiku-4-5",
      "anthropic/claude-sonnet-4-5",
      "openai/gpt-4o",
      "openai/gpt-4o-mini",
    ]);
    expect(ids("sort=provider")).toEqual([
      "anthropic/claude-haiku-4-5",
      "anthropic/claude-sonnet-4-5",
      "openai/gpt-4o",
      "openai/gpt-4o-mini",
    ]);
  });

  it("sorts by the cache prices and the output limit too; a model without the price comes last either way", () => {
    const withCacheWrite = [
      ...MODELS.slice(0, 2),
      { ...MODELS[2]!, cacheWriteMicrosPerM: 3_750_000 },
      { ...MODELS[3]!, cacheWriteMicrosPerM: 1_250_000 },
      { ...row("openai/text-embedding-3-small", "OpenAI", 20_000, 0, 8_191), kind: "embedding" as const },
    ];
    const sorted = (p: string) =>
      searchModels(withCacheWrite, modelSearch(new URLSearchParams(p))).map((m) => m.id);
    expect(sorted("sort=cacheWrite")).toEqual([
      "openai/gpt-4o",
      "anthropic/claude-sonnet-4-5",
      "anthropic/claude-haiku-4-5",
      "openai/gpt-4o-mini",
      "openai/text-embedding-3-small",
    ]);
    expect(sorted("sort=cacheWrite&dir=desc").slice(0, 2)).toEqual([
      "anthropic/claude-sonnet-4-5",
      "openai/gpt-4o",
    ]);
    expect(sorted("sort=cachedInput&dir=desc")).toEqual([
      "anthropic/claude-sonnet-4-5",
      "openai/gpt-4o",
      "anthropic/claude-haiku-4-5",
      "openai/gpt-4o-mini",
      "openai/text-embedding-3-small",
    ]);
    expect(sorted("sort=maxOutput&dir=desc").at(-1)).toBe("openai/text-embedding-3-small");
  });

  it("an unknown sort or order is the catalogue's order by id", () => {
    expect(modelSearch(new URLSearchParams("sort=__proto__&dir=up"))).toEqual({
      q: "",
      sort: "id",
      dir: "asc",
    });
    expect(ids("sort=toString")).toEqual([...MODELS.map((m) => m.id)].sort());
  });
});
