// Google's Gemini API (generativelanguage.googleapis.com): `models/{model}:generateContent`, or
// `:streamGenerateContent?alt=sse` for a stream, with the key in `x-goog-api-key`. The model and streaming are in
// the URL, not the body; the translations (worker/ai/translate/gemini) put them in the body for this route to take.
import type { ConnectionSpec } from "../connections";
import type { Provider, ProviderId } from "../types";

export function gemini(id: ProviderId, spec: ConnectionSpec): Provider {
  return {
    id,
    dialect: "gemini",
    urlSetting: spec.baseUrlSetting,
    baseUrl: (config) => config.connections[id]?.baseUrl ?? "",
    connection: (config) => {
      const settings = config.connections[id];
      return settings?.apiKey ? { baseUrl: settings.baseUrl, apiKey: settings.apiKey } : undefined;
    },
    headers: ({ apiKey }) => ({ ...spec.headers, "x-goog-api-key": apiKey }),
    // The Responses API and the Messages API reach it through translation to chat.
    paths: {
      chat: "/v1beta/models/{model}:generateContent",
      embeddings: "/v1beta/models/{model}:batchEmbedContents",
    },
    // A bad key is a 400 INVALID_ARGUMENT whose details name the reason API_KEY_INVALID.
    keyRefused: (status, body) => status === 400 && body.includes('"API_KEY_INVALID"'),
    route: (operation, { model, stream, ...body }) => ({
      path: `/v1beta/models/${encodeURIComponent(String(model))}:${
        operation === "embeddings"
          ? "batchEmbedContents"
          : stream
            ? "streamGenerateContent?alt=sse"
            : "generateContent"
      }`,
      body,
    }),
  };
}
