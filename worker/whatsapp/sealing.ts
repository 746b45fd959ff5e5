// WhatsApp's secrets at rest: AES-256-GCM sealing and keyed hashes, both under keys derived from MASTER_KEY
// (crypto/master-key.ts), opened under MASTER_KEY_PREVIOUS's too during a rotation.
// See docs/decisions/061-whatsapp-secrets-at-rest.md for why these keys are derived rather than per-account.

import { fromBase64Url, randomBytes, toBase64Url, toHex } from "../crypto/encoding";
import { derive, masterKeyConfigured } from "../crypto/master-key";
import { AppError } from "../errors";

type Keys = { seal: CryptoKey; hash: CryptoKey };

const SEAL_VERSION = "w1";
const encoder = new TextEncoder();

/** The current keys first, then MASTER_KEY_PREVIOUS's while a rotation is under way. */
async function allKeys(env: Env): Promise<Keys[]> {
  if (!masterKeyConfigured(env)) {
    throw new AppError(503, "WhatsApp is unavailable: the server has no MASTER_KEY configured.", {
      code: "master_key_missing",
    });
  }
  const [seal, hash] = await Promise.all([derive(env, "whatsapp-seal"), derive(env, "whatsapp-hash")]);
  return seal.map((key, i) => ({ seal: key, hash: hash[i]! }));
}

/** Binds a sealed value to its account and its place, so it cannot be moved to another row or field. */
const aad = (accountId: string, field: string) => encoder.encode(`${SEAL_VERSION}|${accountId}|${field}`);

/** Encrypts `plaintext` for (account, field) with a fresh random 96-bit IV. */
export async function seal(env: Env, accountId: string, field: string, plaintext: string): Promise<string> {
  const { seal: key } = (await allKeys(env))[0]!;
  const iv = randomBytes(12);
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: aad(accountId, field) },
    key,
    encoder.encode(plaintext),
  );
  return `${SEAL_VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}`;
}

/** Decrypts a value sealed for (account, field); throws if it was tampered with or sealed elsewhere. */
export async function open(env: Env, accountId: string, field: string, sealed: string): Promise<string> {
  const [version, iv, ciphertext] = sealed.split(".");
  if (version !== SEAL_VERSION || !iv || !ciphertext) throw new Error("not a sealed value");
  for (const keys of await allKeys(env)) {
    try {
      const plaintext = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: aad(accountId, field) },
        keys.seal,
        fromBase64Url(ciphertext),
      );
      return new TextDecoder().decode(plaintext);
    } catch {
      // Try the previous master key, if any.
    }
  }
  throw new Error("sealed value does not open");
}

async function keyedHash(keys: Keys, purpose: string, value: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", keys.hash, encoder.encode(`${purpose}|${value}`));
  return toHex(mac);
}

/** The customer's number as stored: a keyed hash, different per account so no one can link people across them. */
export async function contactHash(env: Env, accountId: string, waId: string): Promise<string> {
  return keyedHash((await allKeys(env))[0]!, `contact|${accountId}`, waId);
}

/** Every hash the verify token may be stored under (current key, then the previous during a rotation). */
export async function verifyTokenHashes(env: Env, token: string): Promise<string[]> {
  return Promise.all((await allKeys(env)).map((keys) => keyedHash(keys, "verify-token", token)));
}
