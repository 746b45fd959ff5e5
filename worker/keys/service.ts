// API keys: minted once, stored as a SHA-256 hash and a display prefix, revoked at once.
import { and, desc, eq, isNull } from "drizzle-orm";
import { apiKeys } from "../../db/schema";
import { randomToken, sha256Hex } from "../crypto/encoding";
import type { Db } from "../env";
import { notFound } from "../errors";
import { forgetKey } from "./cache";

export const KEY_PREFIX = "bm_";
/** How much of the secret the dashboard shows to tell keys apart. */
const DISPLAY_LENGTH = KEY_PREFIX.length + 8;

export type KeyView = {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  rateLimitRpm: number | null;
};

function view(row: typeof apiKeys.$inferSelect): KeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    rateLimitRpm: row.rateLimitRpm,
  };
}

export async function createKey(
  db: Db,
  accountId: string,
  input: { name: string; rateLimitRpm?: number | null },
): Promise<KeyView & { key: string }> {
  const key = KEY_PREFIX + randomToken(32);
  const row = {
    id: crypto.randomUUID(),
    accountId,
    name: input.name,
    prefix: key.slice(0, DISPLAY_LENGTH),
    keyHash: await sha256Hex(key),
    rateLimitRpm: input.rateLimitRpm ?? null,
    expiresAt: null,
    monthlySpendLimitMicros: null,
    createdAt: new Date(),
  };
  await db.insert(apiKeys).values(row);
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
}
