// Azure OpenAI: OpenAI's API behind a resource's endpoint, one deployment per model —
// `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…` with the key in `api-key`. The
// deployment is the catalogue model's upstream name (`upstream`, default its name after "azure/"); the
// api-version is the connection's `query`. Requests and answers are OpenAI's, so OpenAI's translations serve it.
import type { ConnectionSpec } from "../connections";
import type { Provider, ProviderId } from "../types";

export function azure(id: ProviderId, spec: ConnectionSpec): Provider {
  const query = spec.query ? `?${new URLSearchParams(spec.query)}` : "";
  const paths = { chat: "/chat/completions", embeddings: "/embeddings" } as const;
  return {
    id,
    dialect: "openai",
    urlSetting: spec.baseUrlSetting,
    baseUrl: (config) => config.connections[id]?.baseUrl ?? "",
    connection: (config) => {
      const settings = config.connections[id];
      return settings?.apiKey ? { baseUrl: settings.baseUrl, apiKey: settings.apiKey } : undefined;
    },
    headers: ({ apiKey }) => ({ ...spec.headers, "api-key": apiKey }),
    paths,
    // The deployment is in the URL; the body carries no model.
    route: (operation, { model, ...body }) => ({
      path: `/openai/deployments/${encodeURIComponent(String(model))}${paths[operation as keyof typeof paths]}${query}`,
      body,
    }),
  };
}
