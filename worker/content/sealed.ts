// Small values sealed under an account's own data key (AES-256-GCM, the key content logging uses, held by the
// account's Durable Object): destroying that key on erasure shreds every copy, backups included, and a MASTER_KEY
// rotation re-wraps the data key alone, never these values. Used for WhatsApp's secrets and customers' own
// provider keys (ADR 053, ADR 034).
import { fromBase64Url, randomBytes, toBase64Url } from "../crypto/encoding";
import { AppError } from "../errors";
import { accountDataKey } from "./data-keys";

/** The format's tag: the data key's version follows it in the value. */
export const SEAL_VERSION = "w2";
const encoder = new TextEncoder();

/** Binds a sealed value to its account, its place and the key's version, so it cannot be moved or re-labelled. */
export const sealAad = (version: string, accountId: string, field: string, keyVer?: number) =>
  encoder.encode(
    keyVer === undefined ? `${version}|${accountId}|${field}` : `${version}|${keyVer}|${accountId}|${field}`,
  );

export async function decryptSealed(
  key: CryptoKey,
  iv: string,
  ciphertext: string,
  additionalData: Uint8Array,
) {
  const plaintext = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: additionalData as Uint8Array<ArrayBuffer> },
    key,
    fromBase64Url(ciphertext),
  );
  return new TextDecoder().decode(plaintext);
}

/** Encrypts `plaintext` for (account, field) under the account's data key (created on first use), fresh IV. */
export async function sealForAccount(
  env: Env,
  accountId: string,
  field: string,
  plaintext: string,
): Promise<string> {
  const key = await accountDataKey(env, accountId, { create: true });
  if (!key)
    throw new AppError(409, "This account is being erased; nothing new is stored for it.", {
      code: "account_erased",
    });
  const iv = randomBytes(12);
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: sealAad(SEAL_VERSION, accountId, field, key.keyVer) },
    key.key,
    encoder.encode(plaintext),
  );
  return `${SEAL_VERSION}.${key.keyVer}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}`;
}

/** Opens a value sealForAccount made for (account, field); throws if tampered with, moved, or the key is gone. */
export async function openForAccount(
  env: Env,
  accountId: string,
  field: string,
  sealed: string,
): Promise<string> {
  const parts = sealed.split(".");
  if (parts[0] !== SEAL_VERSION || parts.length !== 4) throw new Error("not a sealed value");
  const [, keyVer, iv, ciphertext] = parts as [string, string, string, string];
  const key = await accountDataKey(env, accountId, { create: false });
  if (!key || String(key.keyVer) !== keyVer) throw new Error("sealed value does not open: no data key");
  return decryptSealed(key.key, iv, ciphertext, sealAad(SEAL_VERSION, accountId, field, key.keyVer));
}
