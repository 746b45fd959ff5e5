// A model as /v1/models shows it: OpenAI's list-entry shape plus the limits, prices and data policy of the
// catalogue that bills (CONTRACT: /v1/models).
import { providerLabel, providerPolicy } from ".";
import type { CatalogueModel } from "./model";

const usdPerM = (micros: number) => micros / 1_000_000;

export function modelEntry(m: CatalogueModel) {
  const policy = providerPolicy(m.provider);
  return {
    id: m.id,
    object: "model" as const,
    created: 0,
    owned_by: m.provider,
    provider: providerLabel(m.provider),
    kind: m.kind,
    context_length: m.contextTokens,
    max_output_tokens: m.maxOutputTokens,
    capabilities: m.capabilities,
    pricing: {
      input: usdPerM(m.inputMicrosPerM),
      output: usdPerM(m.outputMicrosPerM),
      input_cache_read: usdPerM(m.cachedInputMicrosPerM),
      input_cache_write: m.cacheWriteMicrosPerM === null ? null : usdPerM(m.cacheWriteMicrosPerM),
      currency: "USD" as const,
      per: 1_000_000 as const,
    },
    data_policy: {
      trains_on_data: policy.trainsOnData,
      retention_days: policy.retentionDays,
      zero_data_retention: policy.zeroDataRetention,
      regions: policy.regions,
      terms_url: policy.termsUrl,
    },
  };
}
