// The key-encryption keys (KEKs): MASTER_KEY wraps every account's data key; MASTER_KEY_PREVIOUS is
// still accepted for unwrapping during a rotation, until every data key has been re-wrapped.
import { fromBase64Url, sha256Hex, toHex } from "./encoding";

export type MasterKey = { id: string; key: CryptoKey };

/** Both forms of base64 are accepted (operators paste `openssl rand -base64 32`). */
function decodeMasterKey(text: string): Uint8Array<ArrayBuffer> {
  const bytes = fromBase64Url(text.trim().replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""));
  if (bytes.length !== 32) throw new Error("MASTER_KEY must be 32 bytes, base64-encoded");
  return bytes;
}

async function importMasterKey(text: string): Promise<MasterKey> {
  const raw = decodeMasterKey(text);
  // The id names the key without revealing it: a domain-separated hash, truncated.
  const id = (await sha256Hex(`botmara-kek-id|${toHex(raw)}`)).slice(0, 16);
  const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["wrapKey", "unwrapKey"]);
  return { id, key };
}

export type MasterKeys = { current: MasterKey; previous?: MasterKey };

const cache = new Map<string, Promise<MasterKeys>>();

/** The imported KEKs, or null when no MASTER_KEY is configured (content logging is then unavailable). */
export function masterKeys(env: {
  MASTER_KEY?: string;
  MASTER_KEY_PREVIOUS?: string;
}): Promise<MasterKeys> | null {
  const current = env.MASTER_KEY?.trim();
  if (!current) return null;
  const previous = env.MASTER_KEY_PREVIOUS?.trim() || undefined;
  const cacheKey = `${current}|${previous ?? ""}`;
  let keys = cache.get(cacheKey);
  if (!keys) {
    keys = (async () => ({
      current: await importMasterKey(current),
      previous: previous ? await importMasterKey(previous) : undefined,
    }))();
    keys.catch(() => cache.delete(cacheKey));
    cache.set(cacheKey, keys);
  }
  return keys;
}

/** The KEK with this id, if it is still configured. */
export function findMasterKey(keys: MasterKeys, id: string): MasterKey | undefined {
  if (keys.current.id === id) return keys.current;
  if (keys.previous?.id === id) return keys.previous;
  return undefined;
}
