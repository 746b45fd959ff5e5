// The model catalogue: every model id a customer can call, its provider, limits, capabilities and prices, read
// from the declarative catalogue.json (checked at build and in the tests, so read here without re-checking).
import type { Config } from "../../config";
import { type ProviderId, providerAvailable } from "../providers/registry";
import data from "./catalogue.json";
import type { CatalogueModel, DataPolicy } from "./model";
import { micros } from "./prices";
import type { CatalogueFile } from "./schema";
import { similar } from "./suggest";

const file = data as CatalogueFile;

function served(m: Extract<CatalogueFile["models"][number], { kind: "chat" | "embedding" }>): CatalogueModel {
  const provider = m.id.slice(0, m.id.indexOf("/")) as ProviderId;
  const input = micros(m.prices.input);
  return {
    id: m.id,
    provider,
    // The dev provider answers in-process and labels its answers with the full id.
    upstreamModel: m.upstream ?? (provider === "dev" ? m.id : m.id.slice(provider.length + 1)),
    kind: m.kind,
    contextTokens: m.contextTokens,
    maxOutputTokens: m.maxOutputTokens,
    capabilities: m.capabilities,
    inputMicrosPerM: input,
    outputMicrosPerM: micros(m.prices.output),
    cachedInputMicrosPerM: m.prices.cachedInput === undefined ? input : micros(m.prices.cachedInput),
    cacheWriteMicrosPerM: m.prices.cacheWrite === undefined ? null : micros(m.prices.cacheWrite),
    structuredOutput: m.capabilities.includes("structured_output"),
  };
}

/** The models /v1/models lists. */
const models: CatalogueModel[] = [];
/** Every id that answers: the listed models and the old ids kept as aliases. */
const byId = new Map<string, CatalogueModel>();
/** Old ids that no longer work, with the id to use instead. */
const deprecated = new Map<string, { since: string; use: string }>();
for (const m of file.models) {
  if (m.kind === "deprecated") deprecated.set(m.id, m.deprecated);
  else if (m.kind !== "alias") {
    const model = served(m);
    models.push(model);
    byId.set(model.id, model);
  }
}
// An alias answers as the model it names (its upstream name, limits and prices) under the id the client sent,
// which its answers and request-log rows keep.
for (const m of file.models) {
  if (m.kind === "alias") byId.set(m.id, { ...byId.get(m.aliasOf)!, id: m.id });
}

/** What a provider publishes about the data it receives (CONTRACT: /v1/models `data_policy`). */
export function providerPolicy(provider: ProviderId): DataPolicy {
  return file.providers[provider]!.dataPolicy;
}

/** The published policy of a provider named in a stored row (a string); undefined when the catalogue has none. */
export function policyOfProviderNamed(provider: string): DataPolicy | undefined {
  return Object.hasOwn(file.providers, provider)
    ? file.providers[provider as ProviderId]!.dataPolicy
    : undefined;
}

export function providerLabel(provider: ProviderId): string {
  return file.providers[provider]!.label;
}

/** Every model this deployment can serve. */
export function availableModels(config: Config): CatalogueModel[] {
  return models.filter((m) => providerAvailable(config, m.provider));
}

export type Lookup =
  | { found: CatalogueModel }
  | { deprecated: { since: string; use: string } }
  | { suggestions: string[] };

/**
 * What an id names on this deployment: a model (by its id, an alias, or — when exactly one model has that name
 * after its "provider/" — a bare name like `gpt-4o-mini`), a retired id, or nothing (with the ids it resembles).
 */
export function lookupModel(config: Config, id: string): Lookup {
  const available = (m: CatalogueModel | undefined) =>
    m && providerAvailable(config, m.provider) ? m : undefined;
  const exact = available(byId.get(id));
  if (exact) return { found: exact };
  const retired = deprecated.get(id);
  if (retired) return { deprecated: retired };
  const pool = availableModels(config);
  if (!id.includes("/")) {
    const bare = pool.filter((m) => m.id.endsWith(`/${id}`));
    if (bare.length === 1) return { found: bare[0]! };
    if (bare.length > 1) return { suggestions: bare.map((m) => m.id) };
  }
  return {
    suggestions: similar(
      id,
      pool.map((m) => m.id),
    ),
  };
}

/** The model if the id (or alias, or unambiguous bare name) names one this deployment serves. */
export function findModel(config: Config, id: string): CatalogueModel | undefined {
  const result = lookupModel(config, id);
  return "found" in result ? result.found : undefined;
}
