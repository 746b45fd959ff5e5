// Anthropic's Messages API (ANTHROPIC_BASE_URL).
import type { Provider } from "../types";

/** The API version this proxy's translations are written against. */
const ANTHROPIC_VERSION = "2023-06-01";

export const anthropic: Provider = {
  id: "anthropic",
  dialect: "anthropic",
  baseUrl: (config) => config.anthropic.baseUrl,
  connection: (config) =>
    config.anthropic.apiKey
      ? { baseUrl: config.anthropic.baseUrl, apiKey: config.anthropic.apiKey }
      : undefined,
  headers: ({ apiKey }) => ({ "x-api-key": apiKey, "anthropic-version": ANTHROPIC_VERSION }),
  paths: { chat: "/v1/messages", count_tokens: "/v1/messages/count_tokens" },
};
