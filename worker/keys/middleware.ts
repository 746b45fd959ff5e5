// API-key authentication for /v1/*: Bearer or x-api-key, one indexed lookup, cached briefly per isolate.
import { and, eq, isNull, sql } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { accounts, apiKeys, billingAccounts } from "../../db/schema";
import { effectivePlan, PLANS } from "../billing/plans";
import type { Config } from "../config";
import { sha256Hex } from "../crypto/encoding";
import type { ApiKeyEnv, Db } from "../env";
import { unauthorized } from "../errors";
import { processingRestricted } from "../privacy/rights-requests/restriction";
import { cachedKey, rememberKey } from "./cache";
import { KEY_PREFIX } from "./service";

/** last_used_at is written at most this often per key, off the response path. */
const LAST_USED_INTERVAL_MS = 60_000;

function presentedKey(headers: Headers): string | undefined {
  const auth = headers.get("authorization");
  if (auth) {
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    return match?.[1];
  }
  return headers.get("x-api-key") ?? undefined;
}

async function lookup(db: Db, config: Config, keyHash: string) {
  const [row] = await db
    .select({
      keyId: apiKeys.id,
      accountId: apiKeys.accountId,
      rateLimitRpm: apiKeys.rateLimitRpm,
      expiresAt: apiKeys.expiresAt,
      monthlySpendLimitMicros: apiKeys.monthlySpendLimitMicros,
      dataPolicy: apiKeys.dataPolicy,
      lastUsedAt: apiKeys.lastUsedAt,
      // Which providers the account brought its own key for: only those requests read and open one.
      byok: sql<
        string | null
      >`(SELECT group_concat(provider) FROM provider_keys WHERE account_id = ${apiKeys.accountId})`,
      restrictedAt: accounts.restrictedAt,
      status: billingAccounts.subscriptionStatus,
      priceId: billingAccounts.subscriptionPriceId,
    })
    .from(apiKeys)
    .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
    .leftJoin(billingAccounts, eq(billingAccounts.accountId, apiKeys.accountId))
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt), eq(accounts.status, "active")))
    .limit(1);
  if (!row) return undefined;
  const { status, priceId, byok, restrictedAt, lastUsedAt, ...key } = row;
  // A limit set under a paid plan is held to the plan the account is on now (it may have lapsed since).
  const ceiling = PLANS[effectivePlan(config, { status, priceId })].rateLimitCeilingRpm;
  const principal = {
    ...key,
    rateLimitRpm: key.rateLimitRpm === null ? null : Math.min(key.rateLimitRpm, ceiling),
    expiresAt: key.expiresAt?.getTime() ?? null,
    byokProviders: byok ? byok.split(",") : [],
    restricted: restrictedAt !== null,
  };
  return { principal, lastUsedAt: lastUsedAt?.getTime() ?? 0 };
}

/** Refuses without a live key and puts it on c.var.apiKey: typed so that what follows reads it as present. */
export const requireApiKey: MiddlewareHandler<ApiKeyEnv> = async (c, next) => {
  const key = presentedKey(c.req.raw.headers);
  if (!key)
    throw unauthorized("Missing API key. Send it as 'Authorization: Bearer <key>'.", "missing_api_key");
  if (!key.startsWith(KEY_PREFIX)) throw unauthorized("Invalid API key.", "invalid_api_key");
  const now = Date.now();
  let entry = cachedKey(key, now);
  if (!entry) {
    const keyHash = await sha256Hex(key);
    const found = await lookup(c.var.db, c.var.config, keyHash);
    if (!found) throw unauthorized("Invalid API key.", "invalid_api_key");
    // The stored last use counts as written: a key re-read every CACHE_TTL_MS is not rewritten each time (with
    // many keys each seen less often than that, this was one D1 write per request; ADR 091).
    entry = { principal: found.principal, keyHash, fetchedAt: now, lastUsedWrittenAt: found.lastUsedAt };
    rememberKey(key, entry);
    if (c.var.timing) c.var.timing.keyFromD1 = true;
  }
  // Checked on every request against the cached row: an expired key costs no lookup.
  if (entry.principal.expiresAt !== null && now >= entry.principal.expiresAt) {
    throw unauthorized("This API key has expired. Create a new one on the keys page.", "expired_api_key");
  }
  // Art. 18: while its holder restricts processing, the account's data is only stored (read with the key).
  if (entry.principal.restricted) throw processingRestricted();
  if (now - entry.lastUsedWrittenAt > LAST_USED_INTERVAL_MS) {
    entry.lastUsedWrittenAt = now;
    c.executionCtx.waitUntil(
      c.var.db
        .update(apiKeys)
        .set({ lastUsedAt: new Date(now) })
        .where(eq(apiKeys.id, entry.principal.keyId)),
    );
  }
  c.set("apiKey", entry.principal);
  await next();
};
