// The operators' catalogue overrides as the request path reads them: loaded from D1 into this isolate's memory,
// renewed in the background every 20 seconds and never awaited per request (only by an isolate idle for longer
// than the maximum age) — ADR 035. Future-dated overrides are loaded too, so each applies at its own effective
// time whether or not a read falls there.
import { asc } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { catalogueOverrides } from "../../../../db/schema";
import { getDb } from "../../../db";
import { log } from "../../../observability/log";
import type { Override } from "./override";

/** How long this isolate uses what it read without asking again. */
export const OVERRIDES_TTL_MS = 20_000;
/** The oldest read a request is served from: between the TTL and this, the read is renewed in the background
 * (the request does not wait); beyond it — an isolate idle for a while — the request waits for a fresh read. */
export const OVERRIDES_MAX_AGE_MS = 2 * OVERRIDES_TTL_MS;
/** After a failed read (or while a background read runs), no other read starts for this long. */
const RETRY_MS = 5_000;

let loaded: readonly Override[] = [];
/** When the last successful read started: what it returned was saved by then. */
let loadedAt = Number.NEGATIVE_INFINITY;
/** No read starts before this. */
let nextReadAt = 0;

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
  const started = Date.now();
  nextReadAt = started + RETRY_MS;
  try {
    const rows = await getDb(env.DB)
      .select()
      .from(catalogueOverrides)
      .orderBy(asc(catalogueOverrides.effectiveAt), asc(catalogueOverrides.id));
    loaded = rows.map(toOverride);
    loadedAt = started;
    nextReadAt = started + OVERRIDES_TTL_MS;
  } catch (error) {
    // D1 unreachable: keep serving what was read last (the shipped catalogue if nothing was) and try again soon.
    log.warn("catalogue overrides not read", { error: error as Error });
  }
}

/**
 * Nothing to wait for while the last read is within the TTL, or within the maximum age (then it is renewed in
 * `background`); a read to wait for when it is older than that, or there was none.
 * @internal Exported for the tests, which pass the time.
 */
export function overridesReady(
  env: Env,
  background: (read: Promise<void>) => void,
  now = Date.now(),
): Promise<void> | undefined {
  if (now < nextReadAt) return undefined;
  if (now - loadedAt >= OVERRIDES_MAX_AGE_MS) return reloadOverrides(env);
  background(reloadOverrides(env));
  return undefined;
}

/** Before anything that reads the catalogue: the overrides it sees were read at most OVERRIDES_MAX_AGE_MS ago. */
export const catalogueFresh: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const pending = overridesReady(c.env, (read) => c.executionCtx.waitUntil(read));
  if (pending) await pending;
  await next();
};
