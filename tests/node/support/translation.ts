// What the translator tests hand a translation: its context for a request body, and a provider of a dialect.
import type { CatalogueModel } from "#worker/ai/catalogue/model";
import type { Provider } from "#worker/ai/providers/types";
import type { TranslationContext } from "#worker/ai/translate/types";

export const translationContext = (
  model: CatalogueModel,
  body: Record<string, unknown>,
): TranslationContext => ({
  model,
  body,
  includeUsage: true,
  estimatedInput: 10,
  defaultMaxTokens: 4096,
});

/** A provider speaking `dialect`; with `responses`, one that also serves OpenAI's Responses API. */
export const provider = (dialect: "openai" | "anthropic", responses = false) =>
  ({ dialect, paths: responses ? { responses: "/responses" } : {} }) as unknown as Provider;
