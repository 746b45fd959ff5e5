// Operators' changes to the catalogue (ADR 035): each checked as the build checks catalogue.json, recorded in the
// operator audit, stored as a new row that applies from its effective time — at least a minute ahead, so every
// isolate has read it before any request can be priced by it — and never a rewrite of an earlier one.
import { asc } from "drizzle-orm";
import { catalogueOverrides } from "../../../../db/schema";
import type { Config } from "../../../config";
import type { Db } from "../../../env";
import { badRequest } from "../../../errors";
import { type Operator, recordOperatorAction } from "../../../operators/audit";
import { providerAvailable } from "../../providers/registry";
import type { ProviderId } from "../../providers/types";
import { isOldId, served, shippedEntries, shippedProviders } from "..";
import { OVERRIDES_MAX_AGE_MS, OVERRIDES_TTL_MS, reloadOverrides, toOverride } from "./cache";
import { inForce, type Override, overridden, PRICE_KEYS, type ServedEntry } from "./override";
import type { CatalogueOverrideInputValue, CatalogueOverrideView, OperatorModelView } from "./views";

/**
 * The earliest a change applies after it is saved: the oldest read a request may be served from, plus 20 s for
 * the write itself — so every isolate has read it before any request can be priced by it.
 */
export const OVERRIDE_LEAD_MS = OVERRIDES_MAX_AGE_MS + OVERRIDES_TTL_MS;

const providerOf = (id: string) => id.slice(0, id.indexOf("/"));

/** The entry as it would stand with the override, checked by catalogue.json's own schema and rules. */
async function checkedEntry(shipped: ServedEntry | undefined, o: Override): Promise<void> {
  const entry = overridden(shipped, { ...o, disabled: false });
  if (!entry)
    throw badRequest(
      `${o.modelId} is not in the shipped catalogue: give its kind, contextTokens, maxOutputTokens and the input and output prices.`,
      "kind",
    );
  // Loaded only here: the Worker's start-up never builds the catalogue's schema (ADR 032).
  const { checkCatalogue } = await import("../schema");
  try {
    checkCatalogue({ providers: shippedProviders(), models: [entry] }, o.modelId);
  } catch (error) {
    const [, path = "", message = ""] =
      /^[^:]+: models\[0\]\.?([^:]*): (.*)$/.exec((error as Error).message) ?? [];
    throw badRequest(`${o.modelId}: ${path ? `${path}: ` : ""}${message}`, path || "modelId");
  }
}

/** Saves an override of one model (or a new model), audited, and applies it on this isolate at once. */
export async function saveOverride(
  env: Env,
  db: Db,
  operator: Operator,
  input: CatalogueOverrideInputValue,
  now = Date.now(),
): Promise<CatalogueOverrideView> {
  const id = input.modelId;
  if (isOldId(id))
    throw badRequest(
      `${id} is an old id kept as an alias or retired: override the model it names.`,
      "modelId",
    );
  if (!Object.hasOwn(shippedProviders(), providerOf(id)))
    throw badRequest(
      `${id}: no provider "${providerOf(id)}" in the catalogue.`,
      "modelId",
      "unknown_provider",
    );
  const effectiveAt = input.effectiveAt ? Date.parse(input.effectiveAt) : now + OVERRIDE_LEAD_MS;
  if (effectiveAt < now + OVERRIDE_LEAD_MS)
    throw badRequest(
      `A change applies at the earliest ${OVERRIDE_LEAD_MS / 1000} seconds after it is saved (never to requests already started).`,
      "effectiveAt",
      "effective_too_soon",
    );
  const shipped = shippedEntries().get(id);
  if (shipped && input.kind && input.kind !== shipped.kind)
    throw badRequest(`${id} is a ${shipped.kind} model; its kind cannot change.`, "kind");
  const o: Override = {
    id: 0,
    modelId: id,
    effectiveAt,
    disabled: input.disabled,
    kind: input.kind ?? null,
    upstream: input.upstream ?? null,
    contextTokens: input.contextTokens ?? null,
    maxOutputTokens: input.maxOutputTokens ?? null,
    capabilities: input.capabilities ? [...new Set(input.capabilities)] : null,
    prices: {
      input: input.prices?.input ?? null,
      output: input.prices?.output ?? null,
      cachedInput: input.prices?.cachedInput ?? null,
      cacheWrite: input.prices?.cacheWrite ?? null,
    },
  };
  if (!o.disabled) await checkedEntry(shipped, o);
  const set = Object.entries({
    ...o,
    prices: undefined,
    id: undefined,
    modelId: undefined,
    effectiveAt: undefined,
  })
    .filter(([, v]) => v !== null && v !== undefined && v !== false)
    .map(([k]) => k);
  const prices = Object.fromEntries(
    PRICE_KEYS.filter((k) => o.prices[k] !== null).map((k) => [k, o.prices[k]]),
  );
  await recordOperatorAction(
    db,
    operator,
    {
      action: shipped ? "catalogue.model.overridden" : "catalogue.model.added",
      target: id,
      detail: { effectiveAt: new Date(effectiveAt).toISOString(), set, prices },
    },
    new Date(now),
  );
  const [row] = await db
    .insert(catalogueOverrides)
    .values({
      modelId: id,
      effectiveAt: new Date(effectiveAt),
      createdAt: new Date(now),
      disabled: o.disabled,
      kind: o.kind,
      upstream: o.upstream,
      contextTokens: o.contextTokens,
      maxOutputTokens: o.maxOutputTokens,
      capabilities: o.capabilities ? JSON.stringify(o.capabilities) : null,
      priceInput: o.prices.input,
      priceOutput: o.prices.output,
      priceCachedInput: o.prices.cachedInput,
      priceCacheWrite: o.prices.cacheWrite,
    })
    .returning();
  await reloadOverrides(env);
  return overrideView(toOverride(row!), "scheduled");
}

function overrideView(o: Override, state: CatalogueOverrideView["state"]): CatalogueOverrideView {
  const { effectiveAt, ...rest } = o;
  return { ...rest, effectiveAt: new Date(effectiveAt).toISOString(), state };
}

function modelView(
  config: Config,
  id: string,
  entry: ServedEntry,
  source: OperatorModelView["source"],
  disabled: boolean,
): OperatorModelView {
  const model = served(entry);
  return {
    id,
    provider: model.provider,
    source,
    disabled,
    available: providerAvailable(config, model.provider as ProviderId),
    kind: entry.kind,
    upstream: model.upstreamModel,
    contextTokens: entry.contextTokens,
    maxOutputTokens: entry.maxOutputTokens,
    capabilities: entry.capabilities,
    prices: {
      input: entry.prices.input,
      output: entry.prices.output,
      cachedInput: entry.prices.cachedInput ?? null,
      cacheWrite: entry.prices.cacheWrite ?? null,
    },
  };
}

/** What operators see: every model as it stands now (disabled ones too) and every override, newest first. */
export async function operatorCatalogue(db: Db, config: Config, now = Date.now()) {
  const rows = (
    await db
      .select()
      .from(catalogueOverrides)
      .orderBy(asc(catalogueOverrides.effectiveAt), asc(catalogueOverrides.id))
  ).map(toOverride);
  const { current } = inForce(rows, now);
  const models: OperatorModelView[] = [];
  for (const [id, shipped] of shippedEntries()) {
    const o = current.get(id);
    const entry = o ? (overridden(shipped, { ...o, disabled: false }) ?? shipped) : shipped;
    models.push(modelView(config, id, entry, o ? "overridden" : "shipped", o?.disabled ?? false));
  }
  for (const [id, o] of current) {
    const entry = shippedEntries().has(id) ? undefined : overridden(undefined, { ...o, disabled: false });
    if (entry && Object.hasOwn(shippedProviders(), providerOf(id)))
      models.push(modelView(config, id, entry, "added", o.disabled));
  }
  const overrides = rows
    .map((o) =>
      overrideView(
        o,
        o.effectiveAt > now ? "scheduled" : current.get(o.modelId) === o ? "in_force" : "superseded",
      ),
    )
    .reverse();
  return {
    models,
    overrides,
    propagationSeconds: OVERRIDES_MAX_AGE_MS / 1000,
    leadSeconds: OVERRIDE_LEAD_MS / 1000,
  };
}
