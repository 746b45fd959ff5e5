// An operator's override of one model (catalogue_overrides, ADR 035): a complete statement of what differs from
// the shipped catalogue.json from its effective time on, and how it applies to the shipped entry.
import type { CatalogueFile } from "../schema";

type Entry = CatalogueFile["models"][number];
/** A model the catalogue serves, in catalogue.json's own vocabulary (prices as decimal strings). */
export type ServedEntry = Extract<Entry, { kind: "chat" | "embedding" | "transcription" }>;
type Capability = ServedEntry["capabilities"][number];

export const PRICE_KEYS = ["input", "output", "cachedInput", "cacheWrite"] as const;

export type Override = {
  /** Of two overrides of a model with the same effective time, the higher id (saved later) wins. */
  id: number;
  modelId: string;
  /** Epoch ms from which it applies: to requests started at or after it. */
  effectiveAt: number;
  disabled: boolean;
  /** Each field: the value from the effective time on, or null for the shipped one. */
  kind: ServedEntry["kind"] | null;
  upstream: string | null;
  contextTokens: number | null;
  maxOutputTokens: number | null;
  capabilities: Capability[] | null;
  prices: Record<(typeof PRICE_KEYS)[number], string | null>;
};

/**
 * The entry a model has under an override: the shipped one (if any) with each set field replaced; undefined when
 * the override disables it, or adds a model without the fields a model needs (refused when saved).
 */
export function overridden(shipped: ServedEntry | undefined, o: Override): ServedEntry | undefined {
  if (o.disabled) return undefined;
  const prices: Partial<Record<(typeof PRICE_KEYS)[number], string>> = { ...shipped?.prices };
  for (const key of PRICE_KEYS) {
    const value = o.prices[key];
    if (value !== null) prices[key] = value;
  }
  const kind = o.kind ?? shipped?.kind;
  const contextTokens = o.contextTokens ?? shipped?.contextTokens;
  const maxOutputTokens = o.maxOutputTokens ?? shipped?.maxOutputTokens;
  const { input, output } = prices;
  if (!kind || contextTokens === undefined || maxOutputTokens === undefined || !input || !output)
    return undefined;
  const upstream = o.upstream ?? shipped?.upstream;
  return {
    id: o.modelId,
    kind,
    ...(upstream === undefined ? {} : { upstream }),
    contextTokens,
    maxOutputTokens,
    capabilities: o.capabilities ?? shipped?.capabilities ?? [],
    prices: { ...prices, input, output },
  };
}

/**
 * The override in force for each model at `now` (the latest effective one), and the times between which that
 * stays so: from the latest effective time at or before `now` until the next one after it.
 */
export function inForce(
  overrides: readonly Override[],
  now: number,
): { current: Map<string, Override>; from: number; until: number } {
  const current = new Map<string, Override>();
  let from = Number.NEGATIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  for (const o of overrides) {
    if (o.effectiveAt > now) {
      until = Math.min(until, o.effectiveAt);
      continue;
    }
    from = Math.max(from, o.effectiveAt);
    const held = current.get(o.modelId);
    if (!held || o.effectiveAt > held.effectiveAt || (o.effectiveAt === held.effectiveAt && o.id > held.id))
      current.set(o.modelId, o);
  }
  return { current, from, until };
}
