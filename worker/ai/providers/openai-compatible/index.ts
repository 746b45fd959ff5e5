// Any provider that speaks OpenAI's Chat Completions (Groq, Mistral, DeepSeek, Together, Fireworks, xAI,
// OpenRouter, Ollama, vLLM, LM Studio): a provider made from its catalogue entry alone, through the same
// translations as OpenAI (worker/ai/translate) — base URL, key secret, extra headers and operations are data.

import type { ConnectionSpec } from "../connections";
import type { Provider, ProviderId } from "../types";

export function openaiCompatible(id: ProviderId, spec: ConnectionSpec): Provider {
  const operations = new Set(spec.operations ?? []);
  return {
    id,
    dialect: "openai",
    urlSetting: spec.baseUrlSetting,
    baseUrl: (config) => config.connections[id]?.baseUrl ?? "",
    connection: (config) => {
      const settings = config.connections[id];
      return settings?.apiKey ? { baseUrl: settings.baseUrl, apiKey: settings.apiKey } : undefined;
    },
    headers: ({ apiKey }) => ({ ...spec.headers, authorization: `Bearer ${apiKey}` }),
    paths: {
      chat: "/chat/completions",
      ...(operations.has("embeddings") ? { embeddings: "/embeddings" } : {}),
      ...(operations.has("responses") ? { responses: "/responses" } : {}),
    },
  };
}
