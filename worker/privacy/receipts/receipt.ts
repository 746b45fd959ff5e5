// Deletion receipts and export manifests: the canonical JSON of what was erased (or exported), kept
// under which legal basis until when, signed with Ed25519 as a compact JWS anyone can check against
// the published JWKS. Receipts issued before (HMAC under a key derived from MASTER_KEY) still verify.
import { MAX_JSON_DEPTH, textLength } from "../../ai/tokens";
import { hmacHex, timingSafeEqual } from "../../crypto/encoding";
import { derive } from "../../crypto/master-key";
import type { Retained } from "../holders/holder";
import { signCompact, verifyCompact } from "./jws";
import { publishedKeys, signingKey } from "./signing-keys";
import type { ReceiptCheck } from "./views";

export const RECEIPT_KIND = "botmara-deletion-receipt/2";
export const MANIFEST_KIND = "botmara-export-manifest/1";
export const KEYS_PATH = "/.well-known/privacy-receipt-keys.json";

export type ReceiptBody = {
  kind: typeof RECEIPT_KIND;
  issuer: string;
  /** The key that signed it, and where its public half is published. */
  kid: string;
  keys: string;
  requestId: string;
  /** The pseudonym in the audit and the token on kept invoices; neither is the account id. */
  subject: string;
  retainedToken: string;
  requestedAt: string;
  completedAt: string;
  issuedAt: string;
  erased: { holder: string; location: string; records: number }[];
  retained: Retained[];
  backups: string;
};

export type ManifestBody = {
  kind: typeof MANIFEST_KIND;
  issuer: string;
  kid: string;
  keys: string;
  requestId: string;
  subject: string;
  generatedAt: string;
  /** Records per holder in this export. */
  counts: Record<string, number>;
};

/** Any other signed record (a WhatsApp contact's erasure receipt): its kind, who signed, and its request. */
type SignedRecord = { kind: string; issuer: string; kid: string; keys: string; requestId: string };

/** What is stored and handed out: the readable fields and, beside them, the compact JWS that proves them. */
export type Signed<T> = T & { jws: string };
export type SignedReceipt = Signed<ReceiptBody>;

/** Stable serialisation: sorted keys at every level, so the signature does not depend on key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

type Unsigned<T> = Omit<T, "kid" | "keys" | "issuer">;

/** Signs a receipt or manifest body under the current key; `origin` names where its keys are published. */
export async function signDocument<T extends ReceiptBody | ManifestBody | SignedRecord>(
  env: Env,
  origin: string,
  issuer: string,
  body: Unsigned<T>,
): Promise<Signed<T>> {
  const key = await signingKey(env);
  const full = { ...body, issuer, kid: key.kid, keys: `${origin}${KEYS_PATH}` } as unknown as T;
  const jws = await signCompact(key, body.kind, canonical(full));
  return { ...full, jws };
}

/** HMAC receipts (kind botmara-deletion-receipt/1): only this service can check them. */
async function verifyHmac(env: Env, receipt: Record<string, unknown>): Promise<ReceiptCheck> {
  const { signature, ...body } = receipt;
  const fail = (reason: string): ReceiptCheck => ({
    valid: false,
    reason,
    format: "hmac",
    kid: null,
    signed: null,
  });
  if (typeof signature !== "string") return fail("The receipt has no signature.");
  // Under the current master key, or the previous one during a rotation.
  let matches = false;
  for (const key of await derive(env, "deletion-receipt")) {
    if (timingSafeEqual(await hmacHex(key, canonical(body)), signature)) matches = true;
  }
  if (!matches)
    return fail("The HMAC signature does not match: the receipt was altered, or not issued by this service.");
  return {
    valid: true,
    reason: "Valid: an earlier receipt signed with this service's own HMAC key (only we can check these).",
    format: "hmac",
    kid: null,
    signed: body,
  };
}

/** Differences between the readable fields of a receipt object and what its JWS signed. */
function differingFields(readable: Record<string, unknown>, signed: Record<string, unknown>): string[] {
  const names = new Set([...Object.keys(readable), ...Object.keys(signed)]);
  names.delete("jws");
  return [...names].filter(
    (k) => readable[k] !== undefined && canonical(readable[k]) !== canonical(signed[k]),
  );
}

/**
 * Checks a receipt or export manifest: a compact JWS string, an object carrying `jws` (its readable
 * fields must match what was signed), or an earlier HMAC receipt. Says why when it does not hold.
 */
export async function checkReceipt(env: Env, input: unknown): Promise<ReceiptCheck> {
  // Canonicalising is recursive: JSON nested deeper than any receipt is answered before anything walks it.
  try {
    textLength(input);
  } catch {
    return {
      valid: false,
      reason: `This nests JSON deeper than ${MAX_JSON_DEPTH} levels; no receipt does.`,
      format: "unknown",
      kid: null,
      signed: null,
    };
  }
  if (typeof input === "string" && input.trim().startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      return {
        valid: false,
        reason: "This is neither a compact JWS nor valid JSON.",
        format: "unknown",
        kid: null,
        signed: null,
      };
    }
    return checkReceipt(env, parsed);
  }
  const object = input && typeof input === "object" ? (input as Record<string, unknown>) : null;
  const jws = typeof input === "string" ? input : typeof object?.jws === "string" ? object.jws : null;
  if (typeof input === "string" && input.trim().split(".").length !== 3)
    return {
      valid: false,
      reason: "This is neither a compact JWS (three parts separated by dots) nor receipt JSON.",
      format: "unknown",
      kid: null,
      signed: null,
    };
  if (jws !== null) {
    const result = await verifyCompact(jws, await publishedKeys(env));
    if (!result.valid)
      return { valid: false, reason: result.reason, format: "jws", kid: result.kid, signed: null };
    const signed = (result.payload ?? {}) as Record<string, unknown>;
    if (object) {
      const differ = differingFields(object, signed);
      if (differ.length)
        return {
          valid: false,
          reason: `The signature holds, but the readable fields ${differ.join(", ")} differ from what was signed.`,
          format: "jws",
          kid: result.kid,
          signed: null,
        };
    }
    return {
      valid: true,
      reason: `Valid: signed by this service's key ${result.kid}, published at ${KEYS_PATH}.`,
      format: "jws",
      kid: result.kid,
      signed,
    };
  }
  if (object && "signature" in object) return verifyHmac(env, object);
  return {
    valid: false,
    reason: "Paste the compact JWS (three parts separated by dots) or the whole receipt JSON.",
    format: "unknown",
    kid: null,
    signed: null,
  };
}
