// Ed25519 receipt keys: the private key from RECEIPT_SIGNING_KEY (a 32-byte seed in base64, or PKCS#8
// PEM), its public half named by its RFC 7638 thumbprint (the kid), and the previous public keys that
// stay published so receipts signed before a rotation still verify.
import { fromBase64Url, toBase64Url } from "../../crypto/encoding";
import { deriveBits } from "../../crypto/master-key";
import type { PublicJwk } from "./views";

export type SigningKey = {
  kid: string;
  privateKey: CryptoKey;
  jwk: PublicJwk;
  /** "secret": RECEIPT_SIGNING_KEY; "derived": no secret set, derived from MASTER_KEY (the report flags it). */
  source: "secret" | "derived";
};

type KeyEnv = { RECEIPT_SIGNING_KEY?: string; RECEIPT_VERIFY_KEYS_PREVIOUS?: string; MASTER_KEY?: string };

const ED25519 = { name: "Ed25519" } as const;
/** The fixed DER header of a PKCS#8 Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

const base64 = (text: string) =>
  fromBase64Url(text.trim().replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""));

/** PKCS#8 DER of the key text: a PEM block, base64 PKCS#8 (48 bytes) or a base64 seed (32 bytes). */
function pkcs8Of(text: string): Uint8Array<ArrayBuffer> {
  const pem = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(text);
  const bytes = base64(pem ? pem[1]!.replace(/\s+/g, "") : text);
  if (bytes.length === 48) return bytes;
  if (bytes.length !== 32)
    throw new Error("RECEIPT_SIGNING_KEY must be a 32-byte Ed25519 seed (base64) or a PKCS#8 PEM key");
  const der = new Uint8Array(48);
  der.set(PKCS8_PREFIX);
  der.set(bytes, 16);
  return der;
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of an Ed25519 public key. */
async function thumbprint(x: string): Promise<string> {
  const canonical = `{"crv":"Ed25519","kty":"OKP","x":"${x}"}`;
  return toBase64Url(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical))),
  );
}

async function publicJwk(x: string): Promise<PublicJwk> {
  return { kty: "OKP", crv: "Ed25519", x, kid: await thumbprint(x), use: "sig", alg: "EdDSA" };
}

async function importSigningKey(der: Uint8Array<ArrayBuffer>, source: SigningKey["source"]) {
  const exportable = await crypto.subtle.importKey("pkcs8", der, ED25519, true, ["sign"]);
  const { x } = (await crypto.subtle.exportKey("jwk", exportable)) as JsonWebKey;
  if (!x) throw new Error("RECEIPT_SIGNING_KEY: could not derive its public key");
  const privateKey = await crypto.subtle.importKey("pkcs8", der, ED25519, false, ["sign"]);
  const jwk = await publicJwk(x);
  return { kid: jwk.kid, privateKey, jwk, source } satisfies SigningKey;
}

const cache = new Map<string, Promise<SigningKey>>();

/** The current signing key (imported once per isolate and key text). */
export function signingKey(env: KeyEnv): Promise<SigningKey> {
  const secret = env.RECEIPT_SIGNING_KEY?.trim();
  const master = env.MASTER_KEY?.trim();
  const cacheKey = secret ? `s|${secret}` : `m|${master ?? ""}`;
  let key = cache.get(cacheKey);
  if (!key) {
    key = (async () => {
      if (secret) return importSigningKey(pkcs8Of(secret), "secret");
      if (!master) throw new Error("Neither RECEIPT_SIGNING_KEY nor MASTER_KEY is configured");
      // Without RECEIPT_SIGNING_KEY, a seed derived from MASTER_KEY keeps receipts signed and checkable.
      return importSigningKey(pkcs8Of(toBase64Url(await deriveBits(env, "receipt-signing-seed"))), "derived");
    })();
    key.catch(() => cache.delete(cacheKey));
    cache.set(cacheKey, key);
  }
  return key;
}

/** Public keys of earlier signing keys (RECEIPT_VERIFY_KEYS_PREVIOUS: comma-separated JWK `x` values). */
async function previousKeys(env: KeyEnv): Promise<PublicJwk[]> {
  const list = (env.RECEIPT_VERIFY_KEYS_PREVIOUS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const out: PublicJwk[] = [];
  for (const x of list) {
    if (fromBase64Url(x).length !== 32)
      throw new Error("RECEIPT_VERIFY_KEYS_PREVIOUS: each entry is a 32-byte Ed25519 public key (base64url)");
    out.push(await publicJwk(x));
  }
  return out;
}

/** Every key that verifies receipts of this service: the current one first, then the previous ones. */
export async function publishedKeys(env: KeyEnv): Promise<PublicJwk[]> {
  const current = (await signingKey(env)).jwk;
  const previous = (await previousKeys(env)).filter((k) => k.kid !== current.kid);
  return [current, ...previous];
}
