// A model as the gateway uses it: the catalogue entry with its prices read into integer micro-USD.
import type { ProviderId } from "../providers/types";
import type { CatalogueFile } from "./schema";

type Capability = "tools" | "vision" | "structured_output" | "reasoning";

/** What a provider publishes about the data it receives (CONTRACT: /v1/models `data_policy`). */
export type DataPolicy = CatalogueFile["providers"]["openai"]["dataPolicy"];

export type CatalogueModel = {
  /** What customers send: "provider/model". */
  id: string;
  provider: ProviderId;
  /** The name the provider knows it by. */
  upstreamModel: string;
  kind: "chat" | "embedding" | "transcription";
  contextTokens: number;
  maxOutputTokens: number;
  capabilities: Capability[];
  /** Prices in micro-USD per million tokens (USD × 10⁶), so costs stay integers. */
  inputMicrosPerM: number;
  outputMicrosPerM: number;
  /** Input read from the provider's prompt cache. */
  cachedInputMicrosPerM: number;
  /** Input written to the provider's prompt cache; null where the provider charges nothing extra for it. */
  cacheWriteMicrosPerM: number | null;
  /** Whether the provider takes a JSON schema for the answer (OpenAI's response_format, Anthropic's
   * output_config); Anthropic models without it answer JSON through a forced tool. */
  structuredOutput: boolean;
};
