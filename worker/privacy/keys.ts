// Keys derived (HKDF-SHA256) from MASTER_KEY for the privacy capability: one per purpose, never stored.
import { fromBase64Url, toHex } from "../crypto/encoding";

const imported = new Map<string, Promise<CryptoKey>>();

function masterMaterial(env: Env): Promise<CryptoKey> {
  const text = env.MASTER_KEY?.trim();
  if (!text) throw new Error("MASTER_KEY is not configured");
  let key = imported.get(text);
  if (!key) {
    const raw = fromBase64Url(text.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""));
    key = crypto.subtle.importKey("raw", raw as BufferSource, "HKDF", false, ["deriveKey"]);
    imported.set(text, key);
  }
  return key;
}

const hkdf = (info: string) => ({
  name: "HKDF",
  hash: "SHA-256",
  salt: new TextEncoder().encode("botmara-privacy"),
  info: new TextEncoder().encode(info),
});

/** An HMAC-SHA256 key for one purpose ("deletion-receipt", "subject"). */
export async function hmacKey(env: Env, purpose: string): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(
    hkdf(`hmac|${purpose}`),
    await masterMaterial(env),
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

/** An AES-256-GCM key for one purpose (an export's parts). */
export async function aesKey(env: Env, purpose: string): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(
    hkdf(`aes|${purpose}`),
    await masterMaterial(env),
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

export async function hmacHex(key: CryptoKey, text: string): Promise<string> {
  return toHex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text)));
}

/** The account's pseudonym in privacy records: stable, but not the account id and not reversible. */
export async function subjectOf(env: Env, accountId: string): Promise<string> {
  return (await hmacHex(await hmacKey(env, "subject"), accountId)).slice(0, 32);
}
