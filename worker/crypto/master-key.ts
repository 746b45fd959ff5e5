// The one key module: MASTER_KEY (and, during a rotation, MASTER_KEY_PREVIOUS) is decoded and validated
// here once, and every key the service needs comes from it — the KEKs that wrap accounts' data keys, and
// one HKDF-derived key per purpose. During a rotation every purpose yields the current key first and the
// previous one after it: write under the first, read or verify under any (docs/decisions/030).
import { fromBase64Url, sha256Hex, toHex } from "./encoding";

/** A key-encryption key: wraps and unwraps accounts' data keys. */
export type MasterKey = { id: string; key: CryptoKey };
export type MasterKeys = { current: MasterKey; previous?: MasterKey };

type KeyEnv = { MASTER_KEY?: string; MASTER_KEY_PREVIOUS?: string };

/** What each derived key is for; its HKDF salt and info never change once data depends on them. */
const PURPOSES = {
  /** The account's pseudonym in privacy records (HMAC). */
  subject: { salt: "botmara-privacy", info: "hmac|subject", as: "hmac" },
  /** The account's pseudonymous reference in log lines and metrics (HMAC; ADR 090). */
  "ops-ref": { salt: "botmara-ops", info: "hmac|account-ref", as: "hmac" },
  /** HMAC signatures of deletion receipts issued before Ed25519 (kind botmara-deletion-receipt/1). */
  "deletion-receipt": { salt: "botmara-privacy", info: "hmac|deletion-receipt", as: "hmac" },
  /** One AES-256-GCM key per export (scope: the request id) for its parts in R2. */
  export: { salt: "botmara-privacy", info: "aes|export", as: "aes" },
  /** WhatsApp secrets sealed at rest (ADR 061). */
  "whatsapp-seal": { salt: null, info: "botmara/whatsapp/seal/v1", as: "aes" },
  /** Keyed hashes of WhatsApp contacts and verify tokens. */
  "whatsapp-hash": { salt: null, info: "botmara/whatsapp/hash/v1", as: "hmac" },
  /** The Ed25519 receipt-signing seed when no RECEIPT_SIGNING_KEY is set (raw bits). */
  "receipt-signing-seed": { salt: "botmara-privacy", info: "ed25519|receipt-signing", as: "bits" },
} as const;

export type Purpose = keyof typeof PURPOSES;
type KeyPurpose = { [P in Purpose]: (typeof PURPOSES)[P]["as"] extends "bits" ? never : P }[Purpose];

/** The master secrets, decoded and checked: 32 bytes in either base64 alphabet (operators paste `openssl rand -base64 32`). */
function decode(text: string, name: string): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64Url(text.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""));
  } catch {
    throw new Error(`${name} must be 32 bytes, base64-encoded`);
  }
  if (bytes.length !== 32) throw new Error(`${name} must be 32 bytes, base64-encoded`);
  return bytes;
}

type Imported = { hkdf: CryptoKey; kek: MasterKey };

async function importSecret(text: string, name: string): Promise<Imported> {
  const raw = decode(text, name);
  // The id names the key without revealing it: a domain-separated hash, truncated.
  const id = (await sha256Hex(`botmara-kek-id|${toHex(raw)}`)).slice(0, 16);
  const [hkdf, key] = await Promise.all([
    crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveKey", "deriveBits"]),
    crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["wrapKey", "unwrapKey"]),
  ]);
  return { hkdf, kek: { id, key } };
}

const imported = new Map<string, Promise<Imported>>();

function secret(text: string, name: string): Promise<Imported> {
  let entry = imported.get(text);
  if (!entry) {
    entry = importSecret(text, name);
    entry.catch(() => imported.delete(text));
    imported.set(text, entry);
  }
  return entry;
}

/** The configured secrets' texts, current first; empty when no MASTER_KEY is set. */
function texts(env: KeyEnv): { text: string; name: string }[] {
  const current = env.MASTER_KEY?.trim();
  if (!current) return [];
  const previous = env.MASTER_KEY_PREVIOUS?.trim();
  return [
    { text: current, name: "MASTER_KEY" },
    ...(previous && previous !== current ? [{ text: previous, name: "MASTER_KEY_PREVIOUS" }] : []),
  ];
}

/** Whether a MASTER_KEY is set at all (whether it is valid shows when it is first used). */
export function masterKeyConfigured(env: KeyEnv): boolean {
  return texts(env).length > 0;
}

function secrets(env: KeyEnv): Promise<Imported[]> {
  const list = texts(env);
  if (list.length === 0) throw new Error("MASTER_KEY is not configured");
  return Promise.all(list.map((t) => secret(t.text, t.name)));
}

/** The KEKs, or null when no MASTER_KEY is configured (content logging is then unavailable). */
export function masterKeys(env: KeyEnv): Promise<MasterKeys> | null {
  if (!masterKeyConfigured(env)) return null;
  return secrets(env).then(([current, previous]) => ({ current: current!.kek, previous: previous?.kek }));
}

/** The KEK with this id, if it is still configured. */
export function findMasterKey(keys: MasterKeys, id: string): MasterKey | undefined {
  if (keys.current.id === id) return keys.current;
  if (keys.previous?.id === id) return keys.previous;
  return undefined;
}

const encoder = new TextEncoder();

function params(purpose: Purpose, scope: string | undefined): HkdfParams {
  const spec = PURPOSES[purpose];
  return {
    name: "HKDF",
    hash: "SHA-256",
    salt: spec.salt === null ? new Uint8Array(32) : encoder.encode(spec.salt),
    info: encoder.encode(scope === undefined ? spec.info : `${spec.info}|${scope}`),
  };
}

const derived = new Map<string, Promise<CryptoKey>>();

function deriveOne(secretKey: Imported, purpose: KeyPurpose, scope: string | undefined): Promise<CryptoKey> {
  const cacheKey = `${secretKey.kek.id}|${purpose}|${scope ?? ""}`;
  let key = derived.get(cacheKey);
  if (!key) {
    const algorithm =
      PURPOSES[purpose].as === "aes"
        ? { name: "AES-GCM", length: 256 }
        : { name: "HMAC", hash: "SHA-256", length: 256 };
    const usages: KeyUsage[] = PURPOSES[purpose].as === "aes" ? ["encrypt", "decrypt"] : ["sign", "verify"];
    key = crypto.subtle.deriveKey(params(purpose, scope), secretKey.hkdf, algorithm, false, usages);
    key.catch(() => derived.delete(cacheKey));
    // Scoped keys (one per export) are many and short-lived: only the fixed purposes are kept.
    if (scope === undefined) derived.set(cacheKey, key);
  }
  return key;
}

/**
 * The key for `purpose` (and `scope`, e.g. an export's request id) under every configured master key:
 * the current one first — the one to write, seal or sign with — then MASTER_KEY_PREVIOUS's during a
 * rotation, for reading and verifying what was made before it. Throws when no MASTER_KEY is configured.
 */
export async function derive(env: KeyEnv, purpose: KeyPurpose, scope?: string): Promise<CryptoKey[]> {
  return Promise.all((await secrets(env)).map((s) => deriveOne(s, purpose, scope)));
}

/** Raw derived bits (a seed) under the current master key. */
export async function deriveBits(env: KeyEnv, purpose: Purpose): Promise<Uint8Array<ArrayBuffer>> {
  const [current] = await secrets(env);
  return new Uint8Array(await crypto.subtle.deriveBits(params(purpose, undefined), current!.hkdf, 256));
}
