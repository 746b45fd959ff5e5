// The catalogue is data (worker/ai/catalogue/catalogue.json): the shipped file passes its schema, and a bad
// entry is refused with its path — the same check the build runs (vite.config.ts).
import { describe, expect, it } from "vitest";
import { checkCatalogue } from "#worker/ai/catalogue/schema";
import data from "../../worker/ai/catalogue/catalogue.json";

const shipped = () =>
  structuredClone(data) as { models: Record<string, unknown>[]; providers: Record<string, unknown> };

describe("catalogue.json", () => {
  it("passes its schema as shipped", () => {
    expect(() => checkCatalogue(data)).not.toThrow();
  });

  it.each([
    [
      "a price that is not a decimal string",
      (f: ReturnType<typeof shipped>) => ((f.models[0]!.prices as { input: unknown }).input = 1.5),
      /^catalogue\.json: models\[0\]\.prices\.input: /,
    ],
    [
      "a price with a comma",
      (f: ReturnType<typeof shipped>) => ((f.models[1]!.prices as { output: unknown }).output = "1,50"),
      /^catalogue\.json: models\[1\]\.prices\.output: a price is a decimal string/,
    ],
    [
      "a cached price above the input price",
      (f: ReturnType<typeof shipped>) =>
        ((f.models[2]!.prices as { cachedInput: unknown }).cachedInput = "99"),
      /^catalogue\.json: models\[2\]\.prices\.cachedInput: .* cached input costs more than input/,
    ],
    [
      "the same id twice",
      (f: ReturnType<typeof shipped>) => f.models.push({ ...f.models[0]! }),
      /models\[\d+\]\.id: openai\/gpt-5\.5 is listed twice/,
    ],
    [
      "an alias of nothing",
      (f: ReturnType<typeof shipped>) =>
        f.models.push({ id: "openai/old", kind: "alias", aliasOf: "openai/nope" }),
      /models\[\d+\]\.aliasOf: openai\/old points at openai\/nope/,
    ],
    [
      "a model of an unknown provider",
      (f: ReturnType<typeof shipped>) => f.models.push({ ...f.models[0]!, id: "acme/x" }),
      /models\[\d+\]\.id: acme\/x: no provider "acme"/,
    ],
    [
      "a provider without a data policy",
      (f: ReturnType<typeof shipped>) => delete (f.providers.openai as { dataPolicy?: unknown }).dataPolicy,
      /^catalogue\.json: providers\.openai\.dataPolicy: /,
    ],
    [
      "a provider with no code of its own and no connection",
      (f: ReturnType<typeof shipped>) => delete (f.providers.groq as { connection?: unknown }).connection,
      /^catalogue\.json: providers\.groq: groq: a provider without code of its own needs a connection/,
    ],
    [
      "a connection whose key setting is not a variable name",
      (f: ReturnType<typeof shipped>) =>
        ((f.providers.mistral as { connection: { keySetting: string } }).connection.keySetting =
          "mistral key"),
      /^catalogue\.json: providers\.mistral\.connection\.keySetting: a setting is an environment variable name/,
    ],
    [
      "an unknown field (a typo)",
      (f: ReturnType<typeof shipped>) => (f.models[0]!.contextToken = 5),
      /^catalogue\.json: models\[0\]/,
    ],
    [
      "an output limit above the context",
      (f: ReturnType<typeof shipped>) => (f.models[0]!.maxOutputTokens = 9_999_999),
      /^catalogue\.json: models\[0\]\.maxOutputTokens: /,
    ],
  ])("refuses %s, naming its path", (_name, spoil, message) => {
    const file = shipped();
    spoil(file);
    expect(() => checkCatalogue(file)).toThrow(message);
  });
});
