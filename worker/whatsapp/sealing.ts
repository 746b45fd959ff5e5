// WhatsApp's secrets and transient texts at rest: AES-256-GCM under the account's own data key (the key content
// logging uses, held by the account's Durable Object), so destroying that key on erasure shreds every copy,
// backups included. Numbers and verify tokens are keyed hashes under a key derived from MASTER_KEY.
// See docs/decisions/061-whatsapp-secrets-at-rest.md (amended by 053).

import { decryptSealed, openForAccount, SEAL_VERSION, sealAad, sealForAccount } from "../content/sealed";
import { toHex } from "../crypto/encoding";
import { derive, masterKeyConfigured } from "../crypto/master-key";
import { AppError } from "../errors";

/** w1: a key derived from MASTER_KEY, opened only (w2, the account's data key, is content/sealed.ts). */
const LEGACY_VERSION = "w1";
const encoder = new TextEncoder();

function requireMasterKey(env: Env): void {
  if (!masterKeyConfigured(env)) {
    throw new AppError(503, "WhatsApp is unavailable: the server has no MASTER_KEY configured.", {
      code: "master_key_missing",
    });
  }
}

/** Encrypts `plaintext` for (account, field) under the account's data key, with a fresh random 96-bit IV. */
export async function seal(env: Env, accountId: string, field: string, plaintext: string): Promise<string> {
  requireMasterKey(env);
  return sealForAccount(env, accountId, field, plaintext);
}

/**
 * Decrypts a value sealed for (account, field); throws if it was tampered with, sealed elsewhere, or its
 * account's data key is gone. Values sealed before the data key took over (w1) still open under MASTER_KEY
 * (current, then previous) until they are re-sealed or expire.
 */
export async function open(env: Env, accountId: string, field: string, sealed: string): Promise<string> {
  if (sealed.startsWith(`${SEAL_VERSION}.`)) {
    requireMasterKey(env);
    return openForAccount(env, accountId, field, sealed);
  }
  const parts = sealed.split(".");
  if (parts[0] === LEGACY_VERSION && parts.length === 3) {
    const [, iv, ciphertext] = parts as [string, string, string];
    requireMasterKey(env);
    for (const key of await derive(env, "whatsapp-seal")) {
      try {
        return await decryptSealed(key, iv, ciphertext, sealAad(LEGACY_VERSION, accountId, field));
      } catch {
        // Try the previous master key, if any.
      }
    }
    throw new Error("sealed value does not open");
  }
  throw new Error("not a sealed value");
}

/** Whether a stored value predates the data key (w1): the re-sealing sweep moves these under it. */
export const sealedUnderMasterKey = (sealed: string | null): boolean =>
  sealed?.startsWith(`${LEGACY_VERSION}.`) ?? false;

async function hashKeys(env: Env): Promise<CryptoKey[]> {
  requireMasterKey(env);
  return derive(env, "whatsapp-hash");
}

async function keyedHash(key: CryptoKey, purpose: string, value: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${purpose}|${value}`));
  return toHex(mac);
}

/** The customer's number as stored: a keyed hash, different per account so no one can link people across them. */
export async function contactHash(env: Env, accountId: string, waId: string): Promise<string> {
  return keyedHash((await hashKeys(env))[0]!, `contact|${accountId}`, waId);
}

/**
 * Every hash the customer's number may be stored under: the current key's first, then the previous master key's
 * during a rotation (rows written before it keep theirs until they expire).
 */
export async function contactHashes(env: Env, accountId: string, waId: string): Promise<string[]> {
  return Promise.all((await hashKeys(env)).map((key) => keyedHash(key, `contact|${accountId}`, waId)));
}

/** Every hash the verify token may be stored under (current key, then the previous during a rotation). */
export async function verifyTokenHashes(env: Env, token: string): Promise<string[]> {
  return Promise.all((await hashKeys(env)).map((key) => keyedHash(key, "verify-token", token)));
}
