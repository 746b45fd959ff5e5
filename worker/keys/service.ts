// API keys: minted once, stored as a SHA-256 hash and a display prefix, revoked at once; each may carry a
// name, an expiry, a monthly spend limit and a rate limit within the plan's ceiling.
import { and, count, desc, eq, isNull, sql } from "drizzle-orm";
import { apiKeys, billingAccounts } from "../../db/schema";
import { effectivePlan, MICROS_PER_CENT, PLANS, type Plan } from "../billing/plans";
import type { Config } from "../config";
import { randomToken, sha256Hex } from "../crypto/encoding";
import type { Db } from "../env";
import { badRequest, conflict, notFound } from "../errors";
import { forgetKey } from "./cache";
import { stopKeyStreams } from "./stream-guard";
import type { CreatedKeyView, KeySettings, KeyView } from "./views";

export const KEY_PREFIX = "bm_";
/** How much of the secret the dashboard shows to tell keys apart. */
const DISPLAY_LENGTH = KEY_PREFIX.length + 8;
/** Live (not revoked) keys one account may hold at once (README: "API keys"). */
export const MAX_KEYS_PER_ACCOUNT = 25;

function view(row: typeof apiKeys.$inferSelect): KeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    rateLimitRpm: row.rateLimitRpm,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    monthlySpendLimitCents:
      row.monthlySpendLimitMicros === null ? null : Math.round(row.monthlySpendLimitMicros / MICROS_PER_CENT),
    dataPolicy: row.dataPolicy,
  };
}

/** The account's plan as billing last applied it (free when billing has never seen the account). */
export async function accountPlan(db: Db, config: Config, accountId: string): Promise<Plan> {
  const [row] = await db
    .select({ status: billingAccounts.subscriptionStatus, priceId: billingAccounts.subscriptionPriceId })
    .from(billingAccounts)
    .where(eq(billingAccounts.accountId, accountId));
  return PLANS[effectivePlan(config, { status: row?.status ?? null, priceId: row?.priceId ?? null })];
}

/** Checks settings against the plan and the clock; returns the column values to write. */
async function columns(db: Db, config: Config, accountId: string, input: KeySettings) {
  if (input.rateLimitRpm !== undefined && input.rateLimitRpm !== null) {
    const plan = await accountPlan(db, config, accountId);
    if (input.rateLimitRpm > plan.rateLimitCeilingRpm) {
      throw badRequest(
        `The ${plan.name} plan allows at most ${plan.rateLimitCeilingRpm} requests per minute per key.`,
        "rateLimitRpm",
        "rate_limit_above_plan",
      );
    }
  }
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw badRequest("The expiry must be in the future.", "expiresAt", "expiry_in_past");
  }
  return {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.rateLimitRpm !== undefined ? { rateLimitRpm: input.rateLimitRpm } : {}),
    ...(input.dataPolicy !== undefined ? { dataPolicy: input.dataPolicy } : {}),
    ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
    ...(input.monthlySpendLimitCents !== undefined
      ? {
          monthlySpendLimitMicros:
            input.monthlySpendLimitCents === null ? null : input.monthlySpendLimitCents * MICROS_PER_CENT,
        }
      : {}),
  };
}

const tooManyKeys = () =>
  conflict(
    `An account may hold at most ${MAX_KEYS_PER_ACCOUNT} active keys. Revoke one you no longer use first.`,
    "too_many_keys",
  );

export async function createKey(
  db: Db,
  config: Config,
  accountId: string,
  input: KeySettings & { name: string },
): Promise<CreatedKeyView> {
  const [live] = await db
    .select({ n: count() })
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)));
  if ((live?.n ?? 0) >= MAX_KEYS_PER_ACCOUNT) throw tooManyKeys();
  const set = await columns(db, config, accountId, input);
  const key = KEY_PREFIX + randomToken(32);
  const row = {
    id: crypto.randomUUID(),
    accountId,
    name: input.name,
    prefix: key.slice(0, DISPLAY_LENGTH),
    keyHash: await sha256Hex(key),
    rateLimitRpm: null,
    expiresAt: null,
    monthlySpendLimitMicros: null,
    dataPolicy: "any" as const,
    createdAt: new Date(),
    ...set,
  };
  // The cap is checked again in the INSERT itself: D1 runs one statement at a time, so concurrent creates
  // cannot both pass a count that each read before the other's insert.
  const inserted = await db.run(sql`
    INSERT INTO ${apiKeys} (id, account_id, name, prefix, key_hash, rate_limit_rpm, expires_at,
      monthly_spend_limit_micros, data_policy, created_at)
    SELECT ${row.id}, ${accountId}, ${row.name}, ${row.prefix}, ${row.keyHash}, ${row.rateLimitRpm},
      ${row.expiresAt?.getTime() ?? null}, ${row.monthlySpendLimitMicros}, ${row.dataPolicy},
      ${row.createdAt.getTime()}
    WHERE (SELECT COUNT(*) FROM ${apiKeys} WHERE account_id = ${accountId} AND revoked_at IS NULL)
      < ${MAX_KEYS_PER_ACCOUNT}`);
  if (!inserted.meta.changes) throw tooManyKeys();
  return { ...view({ ...row, lastUsedAt: null, revokedAt: null }), key };
}

export async function listKeys(db: Db, accountId: string): Promise<KeyView[]> {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.accountId, accountId))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(view);
}

/** One key of this account; another account's key id is "not found". */
export async function getKey(db: Db, accountId: string, keyId: string): Promise<KeyView> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId)));
  if (!row) throw notFound("API key");
  return view(row);
}

/** Renames a key or changes its limits; a revoked key cannot change. The isolate's cached copy is dropped. */
export async function updateKey(
  db: Db,
  config: Config,
  accountId: string,
  keyId: string,
  input: KeySettings,
): Promise<KeyView> {
  const current = await getKey(db, accountId, keyId);
  if (current.revokedAt) throw conflict("This key is revoked and can no longer change.", "key_revoked");
  const set = await columns(db, config, accountId, input);
  if (Object.keys(set).length === 0) return current;
  const [row] = await db
    .update(apiKeys)
    .set(set)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId)))
    .returning();
  if (!row) throw notFound("API key");
  forgetKey(row.keyHash);
  return view(row);
}

/** Revokes a key of this account; another account's key id is "not found". */
export async function revokeKey(db: Db, accountId: string, keyId: string): Promise<void> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)))
    .returning({ keyHash: apiKeys.keyHash });
  if (!row) {
    const [existing] = await db
      .select({ keyHash: apiKeys.keyHash })
      .from(apiKeys)
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId)));
    if (!existing) throw notFound("API key");
    forgetKey(existing.keyHash);
    return;
  }
  forgetKey(row.keyHash);
  stopKeyStreams(keyId);
}

/** Revokes every live key of the account (e.g. keys made by whoever set it up before its mailbox was proven). */
export async function revokeAllKeys(db: Db, accountId: string): Promise<number> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)))
    .returning({ keyHash: apiKeys.keyHash, id: apiKeys.id });
  for (const row of rows) {
    forgetKey(row.keyHash);
    stopKeyStreams(row.id);
  }
  return rows.length;
}
