// OpenAI and any OpenAI-compatible upstream the operator configures (OPENAI_BASE_URL).
import type { Provider } from "../types";

export const openai: Provider = {
  id: "openai",
  dialect: "openai",
  baseUrl: (config) => config.openai.baseUrl,
  connection: (config) =>
    config.openai.apiKey ? { baseUrl: config.openai.baseUrl, apiKey: config.openai.apiKey } : undefined,
  headers: ({ apiKey }) => ({ authorization: `Bearer ${apiKey}` }),
  paths: {
    chat: "/chat/completions",
    embeddings: "/embeddings",
    responses: "/responses",
    transcriptions: "/audio/transcriptions",
  },
};
