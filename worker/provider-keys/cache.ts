// A customer's own provider key as the request path needs it: read and opened (the account's data key) on first
// use, then kept in this isolate's memory for a minute — like the data key itself — and dropped at once on any
// change here. Only accounts that stored a key ever come here: the key record says which providers have one.
import { and, eq } from "drizzle-orm";
import { providerKeys } from "../../db/schema";
import { openForAccount } from "../content/sealed";
import { getDb } from "../db";

export type CustomerKey = { apiKey: string; allowPlatformFallback: boolean };

const TTL_MS = 60_000;
const MAX_ENTRIES = 5_000;
const cache = new Map<string, { value: CustomerKey | null; expires: number }>();

const slot = (accountId: string, provider: string) => `${accountId}|${provider}`;

/** The account's own key for a provider, opened; null when it has none (or it no longer opens). */
export async function customerKey(
  env: Env,
  accountId: string,
  provider: string,
): Promise<CustomerKey | null> {
  const at = slot(accountId, provider);
  const hit = cache.get(at);
  if (hit && hit.expires > Date.now()) return hit.value;
  const row = await getDb(env.DB)
    .select({ sealedKey: providerKeys.sealedKey, allow: providerKeys.allowPlatformFallback })
    .from(providerKeys)
    .where(and(eq(providerKeys.accountId, accountId), eq(providerKeys.provider, provider)))
    .get();
  const value = row
    ? {
        apiKey: await openForAccount(env, accountId, `provider-key:${provider}`, row.sealedKey),
        allowPlatformFallback: row.allow,
      }
    : null;
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(at, { value, expires: Date.now() + TTL_MS });
  return value;
}

/** Drops this isolate's opened keys of the account (a change, or the account's erasure). */
export function forgetProviderKeys(accountId: string): void {
  for (const at of cache.keys()) if (at.startsWith(`${accountId}|`)) cache.delete(at);
}
