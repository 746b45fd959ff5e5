// The isolate's short-lived cache of API-key lookups. Revocation and account tombstones evict at once
// on this isolate; other isolates forget an entry within CACHE_TTL_MS (the documented cross-instance bound).
import type { ApiKeyPrincipal } from "../env";

export const CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

type Entry = { principal: ApiKeyPrincipal; fetchedAt: number; lastUsedWrittenAt: number };
const entries = new Map<string, Entry>();

export function cachedKey(keyHash: string, now: number): Entry | undefined {
  const entry = entries.get(keyHash);
  if (!entry) return undefined;
  if (now - entry.fetchedAt > CACHE_TTL_MS) {
    entries.delete(keyHash);
    return undefined;
  }
  return entry;
}

export function rememberKey(keyHash: string, entry: Entry): void {
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(keyHash, entry);
}

export function forgetKey(keyHash: string): void {
  entries.delete(keyHash);
}

/** Drops every cached key of an account (deletion tombstone). */
export function forgetAccountKeys(accountId: string): void {
  for (const [hash, entry] of entries) if (entry.principal.accountId === accountId) entries.delete(hash);
}
