// Per-account data keys (DEKs): AES-256-GCM keys that encrypt content, stored only wrapped by a KEK.
// The wrap's additional data names the account and key version, so a wrapped key cannot be moved
// to another account or passed off as another version.
import { fromBase64Url, randomBytes, toBase64Url } from "./encoding";
import { findMasterKey, type MasterKey, type MasterKeys } from "./master-key";

/** What the account's Durable Object stores: no secret in the clear. */
export type WrappedDataKey = {
  /** Version of this account's data key; recorded on every object it encrypts. */
  keyVer: number;
  /** Id of the MASTER_KEY that wraps it. */
  kek: string;
  iv: string;
  wrapped: string;
};

const wrapAad = (accountId: string, keyVer: number) =>
  new TextEncoder().encode(`botmara-dek|v1|${accountId}|${keyVer}`);

async function wrap(
  raw: CryptoKey,
  kek: MasterKey,
  accountId: string,
  keyVer: number,
): Promise<WrappedDataKey> {
  const iv = randomBytes(12);
  const wrapped = await crypto.subtle.wrapKey("raw", raw, kek.key, {
    name: "AES-GCM",
    iv,
    additionalData: wrapAad(accountId, keyVer),
  });
  return { keyVer, kek: kek.id, iv: toBase64Url(iv), wrapped: toBase64Url(new Uint8Array(wrapped)) };
}

async function unwrap(
  record: WrappedDataKey,
  keys: MasterKeys,
  accountId: string,
  extractable: boolean,
): Promise<CryptoKey> {
  const kek = findMasterKey(keys, record.kek);
  if (!kek) throw new Error("data key wrapped by a master key that is no longer configured");
  return crypto.subtle.unwrapKey(
    "raw",
    fromBase64Url(record.wrapped),
    kek.key,
    { name: "AES-GCM", iv: fromBase64Url(record.iv), additionalData: wrapAad(accountId, record.keyVer) },
    "AES-GCM",
    extractable,
    ["encrypt", "decrypt"],
  );
}

/** A fresh random data key, wrapped by the current KEK. */
export async function newWrappedDataKey(keys: MasterKeys, accountId: string, keyVer: number) {
  const dek = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
  return wrap(dek, keys.current, accountId, keyVer);
}

/** The usable data key; non-extractable, so it never leaves WebCrypto again. */
export function unwrapDataKey(
  record: WrappedDataKey,
  keys: MasterKeys,
  accountId: string,
): Promise<CryptoKey> {
  return unwrap(record, keys, accountId, false);
}

/** MASTER_KEY rotation: the same data key under the current KEK. Content is not re-encrypted. */
export async function rewrapDataKey(
  record: WrappedDataKey,
  keys: MasterKeys,
  accountId: string,
): Promise<WrappedDataKey> {
  if (record.kek === keys.current.id) return record;
  const dek = await unwrap(record, keys, accountId, true);
  return wrap(dek, keys.current, accountId, record.keyVer);
}
