// WhatsApp's secrets at rest: AES-256-GCM sealing and keyed hashes, both under keys derived (HKDF) from MASTER_KEY.
// See docs/decisions/061-whatsapp-secrets-at-rest.md for why these keys are derived rather than per-account.

import { fromBase64Url, randomBytes, toBase64Url, toHex } from "../crypto/encoding";
import { AppError } from "../errors";

type Keys = { seal: CryptoKey; hash: CryptoKey };

const SEAL_VERSION = "w1";
const encoder = new TextEncoder();
const cache = new Map<string, Promise<Keys>>();

function decodeMasterKey(text: string): Uint8Array<ArrayBuffer> {
  const bytes = fromBase64Url(text.trim().replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""));
  if (bytes.length !== 32) throw new Error("MASTER_KEY must be 32 bytes, base64-encoded");
  return bytes;
}

async function deriveKeys(masterKey: string): Promise<Keys> {
  const ikm = await crypto.subtle.importKey("raw", decodeMasterKey(masterKey), "HKDF", false, ["deriveKey"]);
  const derive = (info: string, algorithm: AesKeyGenParams | HmacImportParams, usages: KeyUsage[]) =>
    crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: encoder.encode(info) },
      ikm,
      algorithm,
      false,
      usages,
    );
  return {
    seal: await derive("botmara/whatsapp/seal/v1", { name: "AES-GCM", length: 256 }, ["encrypt", "decrypt"]),
    hash: await derive("botmara/whatsapp/hash/v1", { name: "HMAC", hash: "SHA-256", length: 256 }, ["sign"]),
  };
}

function keysFor(masterKey: string): Promise<Keys> {
  let keys = cache.get(masterKey);
  if (!keys) {
    keys = deriveKeys(masterKey);
    keys.catch(() => cache.delete(masterKey));
    cache.set(masterKey, keys);
  }
  return keys;
}

/** The current keys first, then MASTER_KEY_PREVIOUS's while a rotation is under way. */
function allKeys(env: Env): Promise<Keys>[] {
  const vars = env as unknown as { MASTER_KEY?: string; MASTER_KEY_PREVIOUS?: string };
  const current = vars.MASTER_KEY?.trim();
  if (!current) {
    throw new AppError(503, "WhatsApp is unavailable: the server has no MASTER_KEY configured.", {
      code: "master_key_missing",
    });
  }
  const previous = vars.MASTER_KEY_PREVIOUS?.trim();
  return previous ? [keysFor(current), keysFor(previous)] : [keysFor(current)];
}

/** Binds a sealed value to its account and its place, so it cannot be moved to another row or field. */
const aad = (accountId: string, field: string) => encoder.encode(`${SEAL_VERSION}|${accountId}|${field}`);

/** Encrypts `plaintext` for (account, field) with a fresh random 96-bit IV. */
export async function seal(env: Env, accountId: string, field: string, plaintext: string): Promise<string> {
  const { seal: key } = await allKeys(env)[0]!;
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
  for (const keys of allKeys(env)) {
    try {
      const plaintext = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: aad(accountId, field) },
        (await keys).seal,
        fromBase64Url(ciphertext),
      );
      return new TextDecoder().decode(plaintext);
    } catch {
      // Try the previous master key, if any.
    }
  }
  throw new Error("sealed value does not open");
}

async function keyedHash(keys: Promise<Keys>, purpose: string, value: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", (await keys).hash, encoder.encode(`${purpose}|${value}`));
  return toHex(mac);
}

/** The customer's number as stored: a keyed hash, different per account so no one can link people across them. */
export function contactHash(env: Env, accountId: string, waId: string): Promise<string> {
  return keyedHash(allKeys(env)[0]!, `contact|${accountId}`, waId);
}

/** Every hash the verify token may be stored under (current key, then the previous during a rotation). */
export function verifyTokenHashes(env: Env, token: string): Promise<string[]> {
  return Promise.all(allKeys(env).map((keys) => keyedHash(keys, "verify-token", token)));
}
