// The Worker's side of content encryption: an account's usable data key, fetched from its Durable
// Object, unwrapped with MASTER_KEY and kept briefly in the isolate so a logged request costs no RPC.
import { accountObject } from "../account-object/stub";
import { unwrapDataKey } from "../crypto/data-key";
import { masterKeys } from "../crypto/master-key";

export type DataKey = { key: CryptoKey; keyVer: number };

const TTL_MS = 60_000;
const MAX_ENTRIES = 5_000;
const cache = new Map<string, { value: DataKey; expires: number }>();

/** The account's data key; created on first use when `create`; null when none exists or it was destroyed. */
export async function accountDataKey(
  env: Env,
  accountId: string,
  { create }: { create: boolean },
): Promise<DataKey | null> {
  const hit = cache.get(accountId);
  if (hit && hit.expires > Date.now()) return hit.value;
  const keys = await masterKeys(env);
  if (!keys) return null;
  const record = await accountObject(env, accountId).dataKey(accountId, create);
  if (!record) {
    cache.delete(accountId);
    return null;
  }
  const value = { key: await unwrapDataKey(record, keys, accountId), keyVer: record.keyVer };
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(accountId, { value, expires: Date.now() + TTL_MS });
  return value;
}

/**
 * Drops this isolate's copy of the key.
 * @internal
 */
export function forgetDataKey(accountId: string): void {
  cache.delete(accountId);
}
