// The provider registry: one line per provider. Adding a provider is a folder plus a line here.
import type { Config } from "../../config";
import { AppError } from "../../errors";
import { checkUpstreamUrl } from "../../security/upstream-url";
import { anthropic } from "./anthropic";
import { dev } from "./dev";
import { openai } from "./openai";
import type { Connection, Provider, ProviderId } from "./types";

export type { Dialect, Operation, Provider, ProviderId } from "./types";

export const providers: Record<ProviderId, Provider> = { openai, anthropic, dev };

/** Whether this deployment can call the provider (its key is configured, or the dev provider is on). */
export function providerAvailable(config: Config, id: ProviderId): boolean {
  return id === "dev" ? config.devProvider : providers[id].connection(config) !== undefined;
}

/**
 * The provider's configured connection. Only these base URLs are ever called (never one a customer sends),
 * and only by the one upstream-URL rule (https; plain http only on loopback in local mode).
 */
export function connect(config: Config, provider: Provider, customerKey?: string): Connection {
  const connection = customerKey
    ? { baseUrl: provider.baseUrl(config), apiKey: customerKey }
    : provider.connection(config);
  if (!connection)
    throw new AppError(503, `Provider ${provider.id} is not configured.`, { code: "provider_unavailable" });
  if (provider.local) return connection;
  checkUpstreamUrl(config.localMode, `${provider.id.toUpperCase()}_BASE_URL`, connection.baseUrl);
  return connection;
}
