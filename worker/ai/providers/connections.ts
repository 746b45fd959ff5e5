// The settings of the providers configured by data alone (catalogue.json `connection`): each one's base URL
// (its default, or the variable named by `baseUrlSetting`) and key (the secret named by `keySetting`), read once
// with the rest of the configuration (worker/config.ts). A provider without a key is not configured.

import { isLoopbackUrl } from "../../security/loopback";
import data from "../catalogue/catalogue.json";
import type { CatalogueFile } from "../catalogue/schema";
import type { ProviderId } from "./types";

export type ConnectionSpec = NonNullable<CatalogueFile["providers"][string]["connection"]>;

/** Where a configured provider is and its key; `apiKey` undefined: not configured (not offered). */
export type ConnectionSettings = { baseUrl: string; apiKey: string | undefined };

/** Every provider in the catalogue that is reached through a connection described in the data. */
export const connectionSpecs = Object.entries((data as CatalogueFile).providers).flatMap(([id, p]) =>
  p.connection ? [[id as ProviderId, p.connection] as const] : [],
);

const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim() : undefined);

/**
 * The settings of every data-configured provider from the environment. A local model server (Ollama, vLLM,
 * LM Studio on loopback, in local mode) usually wants no key: its base URL alone configures it, and a placeholder
 * goes in the Authorization header (the same rule as OPENAI_BASE_URL's).
 */
export function readConnections(
  env: Record<string, unknown>,
  localMode: boolean,
): Record<string, ConnectionSettings> {
  const settings: Record<string, ConnectionSettings> = {};
  for (const [id, spec] of connectionSpecs) {
    const baseUrl = (text(env[spec.baseUrlSetting]) ?? spec.baseUrl ?? "").replace(/\/+$/, "");
    const keyless = localMode && isLoopbackUrl(baseUrl) ? "local-model-server" : undefined;
    settings[id] = { baseUrl, apiKey: baseUrl ? (text(env[spec.keySetting]) ?? keyless) : undefined };
  }
  return settings;
}
