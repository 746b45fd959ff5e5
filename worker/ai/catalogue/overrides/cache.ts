// The operators' catalogue overrides as the request path reads them: loaded from D1 into this isolate's memory
// and re-read at most every 30 seconds (ADR 035), never per request. Future-dated overrides are loaded too, so
// each applies at its own effective time whether or not a re-read falls there.

import { asc } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { catalogueOverrides } from "../../../../db/schema";
import { getDb } from "../../../db";
import { log } from "../../../observability/log";
import type { Override } from "./override";

/** How long this isolate trusts what it read: another isolate's change reaches it within this. */
export const OVERRIDES_TTL_MS = 30_000;
/** After a failed read, the previous overrides serve this long before the next try. */
const RETRY_MS = 5_000;

let loaded: readonly Override[] = [];
let freshUntil = 0;

export function toOverride(row: typeof catalogueOverrides.$inferSelect): Override {
  return {
    id: row.id,
    modelId: row.modelId,
    effectiveAt: row.effectiveAt.getTime(),
    disabled: row.disabled,
    kind: row.kind,
    upstream: row.upstream,
    contextTokens: row.contextTokens,
    maxOutputTokens: row.maxOutputTokens,
    capabilities:
      row.capabilities === null ? null : (JSON.parse(row.capabilities) as Override["capabilities"]),
    prices: {
      input: row.priceInput,
      output: row.priceOutput,
      cachedInput: row.priceCachedInput,
      cacheWrite: row.priceCacheWrite,
    },
  };
}

/** Every override this isolate knows, by effective time (the same array until the next read). */
export function loadedOverrides(): readonly Override[] {
  return loaded;
}

/** Reads every override now (this isolate's own changes apply here without waiting for the TTL). */
export async function reloadOverrides(env: Env): Promise<void> {
  // The time before the read: what it returns was saved by then, so the TTL counts from here.
  const started = Date.now();
  try {
    const rows = await getDb(env.DB)
      .select()
      .from(catalogueOverrides)
      .orderBy(asc(catalogueOverrides.effectiveAt), asc(catalogueOverrides.id));
    loaded = rows.map(toOverride);
    freshUntil = started + OVERRIDES_TTL_MS;
  } catch (error) {
    // D1 unreachable: keep serving what was read last (the shipped catalogue if nothing was) and try again soon.
    freshUntil = started + RETRY_MS;
    log.warn("catalogue overrides not read", { error: error as Error });
  }
}

/** Nothing to wait for while what this isolate read is fresh; otherwise the read (once per TTL per isolate). */
export function overridesReady(env: Env): Promise<void> | undefined {
  return Date.now() < freshUntil ? undefined : reloadOverrides(env);
}

/** Before anything that reads the catalogue: the overrides are at most OVERRIDES_TTL_MS old. */
export const catalogueFresh: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const pending = overridesReady(c.env);
  if (pending) await pending;
  await next();
};
