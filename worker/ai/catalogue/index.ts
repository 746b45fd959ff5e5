// The model catalogue: every model id a customer can call, its provider, limits, capabilities and prices, read
// from the declarative catalogue.json (checked at build and in the tests, so read here without re-checking) and
// the operators' overrides in force at the request's start (overrides/, ADR 035).
import type { Config } from "../../config";
import { type ProviderId, providerAvailable } from "../providers/registry";
import data from "./catalogue.json";
import type { CatalogueModel, DataPolicy } from "./model";
import { loadedOverrides } from "./overrides/cache";
import { inForce, type Override, overridden, type ServedEntry } from "./overrides/override";
import { micros } from "./prices";
import type { CatalogueFile } from "./schema";
import { similar } from "./suggest";

const file = data as CatalogueFile;

/** A served entry as the gateway uses it: its provider, upstream name and prices in integer micro-USD. */
export function served(m: ServedEntry): CatalogueModel {
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

/** The shipped served entries, by id (what an override starts from). */
const shipped = new Map<string, ServedEntry>();
/** Old ids that no longer work, with the id to use instead. */
const deprecated = new Map<string, { since: string; use: string }>();
for (const m of file.models) {
  if (m.kind === "deprecated") deprecated.set(m.id, m.deprecated);
  else if (m.kind !== "alias") shipped.set(m.id, m);
}

/** The catalogue as it stands between two effective times of the operators' overrides (ADR 035). */
type Snapshot = {
  /** The models /v1/models lists. */
  models: CatalogueModel[];
  /** Every id that answers: the listed models and the old ids kept as aliases. */
  byId: Map<string, CatalogueModel>;
  from: number;
  until: number;
  overrides: readonly Override[];
};

function snapshotAt(overrides: readonly Override[], now: number): Snapshot {
  const { current, from, until } = inForce(overrides, now);
  const models: CatalogueModel[] = [];
  const byId = new Map<string, CatalogueModel>();
  const add = (entry: ServedEntry | undefined) => {
    if (!entry) return;
    const model = served(entry);
    models.push(model);
    byId.set(model.id, model);
  };
  for (const [id, entry] of shipped) {
    const o = current.get(id);
    add(o ? overridden(entry, o) : entry);
  }
  // Models the operators added, for a provider of the catalogue (checked when saved; a provider gone since is skipped).
  for (const [id, o] of current) {
    if (!shipped.has(id) && Object.hasOwn(file.providers, id.slice(0, id.indexOf("/"))))
      add(overridden(undefined, o));
  }
  // An alias answers as the model it names (its upstream name, limits and prices) under the id the client sent,
  // which its answers and request-log rows keep; it goes with its model when an operator disables that.
  for (const m of file.models) {
    const target = m.kind === "alias" ? byId.get(m.aliasOf) : undefined;
    if (target) byId.set(m.id, { ...target, id: m.id });
  }
  return { models, byId, from, until, overrides };
}

let snapshot = snapshotAt([], Date.now());

/** The catalogue in force at `now` (a request's start): rebuilt only when the overrides or their times change. */
function catalogueAt(now = Date.now()): Snapshot {
  const overrides = loadedOverrides();
  if (snapshot.overrides !== overrides || now < snapshot.from || now >= snapshot.until)
    snapshot = snapshotAt(overrides, now);
  return snapshot;
}

/** The shipped served entries by id (what an override starts from). */
export function shippedEntries(): ReadonlyMap<string, ServedEntry> {
  return shipped;
}

/** Whether catalogue.json names this id as an alias or a retired model (which overrides cannot touch). */
export function isOldId(id: string): boolean {
  return deprecated.has(id) || file.models.some((m) => m.id === id && m.kind === "alias");
}

/** The catalogue's providers (a model added by an operator must name one of these). */
export function shippedProviders(): CatalogueFile["providers"] {
  return file.providers;
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
export function availableModels(config: Config, now = Date.now()): CatalogueModel[] {
  return catalogueAt(now).models.filter((m) => providerAvailable(config, m.provider));
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
  const exact = available(catalogueAt().byId.get(id));
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
