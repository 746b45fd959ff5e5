// The model catalogue: every model id a customer can call, its provider, prices and limits.
import type { Config } from "../config";
import { type ProviderId, providerAvailable } from "./providers/registry";

type ModelKind = "chat" | "embedding";

export type CatalogueModel = {
  /** What customers send: "provider/model". */
  id: string;
  provider: ProviderId;
  /** The name the provider knows it by. */
  upstreamModel: string;
  kind: ModelKind;
  /** Prices in micro-USD per million tokens (USD × 10⁶), so costs stay integers. */
  inputMicrosPerM: number;
  outputMicrosPerM: number;
  contextTokens: number;
  maxOutputTokens: number;
  /** Whether the provider takes a JSON schema for the answer (OpenAI's response_format, Anthropic's
   * output_config); Anthropic models without it answer JSON through a forced tool. */
  structuredOutput: boolean;
};

const usd = (perMillion: number) => Math.round(perMillion * 1_000_000);

const models: CatalogueModel[] = [
  chat("openai", "gpt-4o-mini", 0.15, 0.6, 128_000, 16_384),
  chat("openai", "gpt-4o", 2.5, 10, 128_000, 16_384),
  chat("openai", "gpt-4.1-mini", 0.4, 1.6, 1_047_576, 32_768),
  chat("openai", "gpt-4.1", 2, 8, 1_047_576, 32_768),
  embedding("openai", "text-embedding-3-small", 0.02, 8_191),
  embedding("openai", "text-embedding-3-large", 0.13, 8_191),
  chat("anthropic", "claude-3-5-haiku-latest", 0.8, 4, 200_000, 8_192),
  chat("anthropic", "claude-haiku-4-5", 1, 5, 200_000, 64_000, true),
  chat("anthropic", "claude-sonnet-4-5", 3, 15, 200_000, 64_000, true),
  chat("dev", "echo", 0, 0, 32_000, 4_096),
  embedding("dev", "embed", 0, 8_191),
];

function chat(
  provider: ProviderId,
  name: string,
  input: number,
  output: number,
  contextTokens: number,
  maxOutputTokens: number,
  structuredOutput = provider !== "anthropic",
): CatalogueModel {
  return {
    id: `${provider}/${name}`,
    provider,
    // The dev provider answers in-process and labels its answers with the full id.
    upstreamModel: provider === "dev" ? `dev/${name}` : name,
    kind: "chat",
    inputMicrosPerM: usd(input),
    outputMicrosPerM: usd(output),
    contextTokens,
    maxOutputTokens,
    structuredOutput,
  };
}

function embedding(provider: ProviderId, name: string, input: number, contextTokens: number): CatalogueModel {
  return { ...chat(provider, name, input, 0, contextTokens, 0), kind: "embedding" };
}

const byId = new Map(models.map((m) => [m.id, m]));

/** The model if it exists and its provider is configured on this deployment. */
export function findModel(config: Config, id: string): CatalogueModel | undefined {
  const model = byId.get(id);
  return model && providerAvailable(config, model.provider) ? model : undefined;
}

/** Every model this deployment can serve. */
export function availableModels(config: Config): CatalogueModel[] {
  return models.filter((m) => providerAvailable(config, m.provider));
}

/** Integer micro-USD for a request's tokens; rounded up so a non-zero use never costs zero. */
export function costMicros(model: CatalogueModel, inputTokens: number, outputTokens: number): number {
  return Math.ceil((inputTokens * model.inputMicrosPerM + outputTokens * model.outputMicrosPerM) / 1_000_000);
}
