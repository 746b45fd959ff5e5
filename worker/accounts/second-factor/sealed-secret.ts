// The authenticator app's shared secret at rest: AES-256-GCM under the account's own data key (held by its
// Durable Object), bound to the account by the AAD, so erasing the account's key shreds every copy, backups too.
import { accountDataKey } from "../../content/data-keys";
import { fromBase64Url, randomBytes, toBase64Url } from "../../crypto/encoding";
import { masterKeyConfigured } from "../../crypto/master-key";
import { AppError } from "../../errors";

const VERSION = "t1";
const encoder = new TextEncoder();
const aad = (accountId: string, keyVer: number) => encoder.encode(`${VERSION}|${keyVer}|${accountId}|totp`);

function unavailable(): AppError {
  return new AppError(503, "Authenticator apps are unavailable: the server has no MASTER_KEY configured.", {
    code: "master_key_missing",
  });
}

export async function sealTotpSecret(env: Env, accountId: string, secret: string): Promise<string> {
  if (!masterKeyConfigured(env)) throw unavailable();
  const key = await accountDataKey(env, accountId, { create: true });
  if (!key) throw new AppError(409, "This account is being erased.", { code: "account_erased" });
  const iv = randomBytes(12);
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: aad(accountId, key.keyVer) },
    key.key,
    encoder.encode(secret),
  );
  return `${VERSION}.${key.keyVer}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

/** The secret, or null when it no longer opens (the data key is gone or the value was tampered with). */
export async function openTotpSecret(env: Env, accountId: string, sealed: string): Promise<string | null> {
  const [version, keyVer, iv, ciphertext] = sealed.split(".");
  if (version !== VERSION || !keyVer || !iv || !ciphertext) return null;
  if (!masterKeyConfigured(env)) throw unavailable();
  const key = await accountDataKey(env, accountId, { create: false });
  if (!key || String(key.keyVer) !== keyVer) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: aad(accountId, key.keyVer) },
      key.key,
      fromBase64Url(ciphertext),
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
