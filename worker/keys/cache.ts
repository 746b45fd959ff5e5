// The isolate's short-lived cache of verified API keys, looked up by the presented secret so a cached key
// costs no hashing. Revocation and account tombstones evict at once on this isolate; other isolates forget
// an entry within CACHE_TTL_MS (the documented cross-instance bound). Secrets stay in isolate memory only.
import type { ApiKeyPrincipal } from "../env";
import { stopAccountStreams } from "./stream-guard";

/** @internal Exported for the docs test: ADR 008 and the architecture quote it. */
export const CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

type Entry = { principal: ApiKeyPrincipal; keyHash: string; fetchedAt: number; lastUsedWrittenAt: number };
const entries = new Map<string, Entry>();

export function cachedKey(presented: string, now: number): Entry | undefined {
  const entry = entries.get(presented);
  if (!entry) return undefined;
  if (now - entry.fetchedAt > CACHE_TTL_MS) {
    entries.delete(presented);
    return undefined;
  }
  return entry;
}

export function rememberKey(presented: string, entry: Entry): void {
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(presented, entry);
}

/** Drops the cached key with this hash (revocation). */
export function forgetKey(keyHash: string): void {
  for (const [presented, entry] of entries) if (entry.keyHash === keyHash) entries.delete(presented);
}

/** Drops every cached key of an account (deletion tombstone), and ends its open streams here. */
export function forgetAccountKeys(accountId: string): void {
  stopAccountStreams(accountId);
  for (const [presented, entry] of entries) {
    if (entry.principal.accountId === accountId) entries.delete(presented);
  }
}
