// The provider registry: the providers with code of their own, and one made from each catalogue entry with a
// `connection` (worker/ai/providers/<kind>). Adding a provider that speaks a known wire format is a
// catalogue entry; a new wire format is a folder of translation plus a connection kind.
import type { Config } from "../../config";
import { AppError } from "../../errors";
import { checkUpstreamUrl } from "../../security/upstream-url";
import { anthropic } from "./anthropic";
import { azure } from "./azure";
import { bedrock } from "./bedrock";
import { type ConnectionSpec, connectionSpecs } from "./connections";
import { dev } from "./dev";
import { gemini } from "./gemini";
import { openai } from "./openai";
import { openaiCompatible } from "./openai-compatible";
import type { Connection, Provider, ProviderId } from "./types";

export type { Dialect, Operation, Provider, ProviderId } from "./types";

/** The code for each wire format a catalogue connection may name (`connection.kind`). */
const kinds: Record<ConnectionSpec["kind"], (id: ProviderId, spec: ConnectionSpec) => Provider> = {
  "openai-compatible": openaiCompatible,
  gemini,
  azure,
  bedrock,
};

export const providers = {
  openai,
  anthropic,
  dev,
  ...Object.fromEntries(connectionSpecs.map(([id, spec]) => [id, kinds[spec.kind](id, spec)])),
} as Record<ProviderId, Provider>;

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
  checkUpstreamUrl(
    config.localMode,
    provider.urlSetting ?? `${provider.id.toUpperCase()}_BASE_URL`,
    connection.baseUrl,
  );
  return connection;
}
