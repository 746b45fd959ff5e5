// Compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037): header.payload.signature, each base64url.
// The payload is the receipt's canonical JSON, so anyone with the JWKS can check it with any JOSE library.
import { fromBase64Url, toBase64Url } from "../../crypto/encoding";
import type { SigningKey } from "./signing-keys";

const ED25519_SIGNATURE_BYTES = 64;

/** The signature's bytes, or undefined unless they are valid base64url of exactly 64 bytes (verify throws else). */
function ed25519Signature(part: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  try {
    const bytes = fromBase64Url(part);
    return bytes.length === ED25519_SIGNATURE_BYTES ? (bytes as Uint8Array<ArrayBuffer>) : undefined;
  } catch {
    return undefined;
  }
}

import type { PublicJwk } from "./views";

type JwsHeader = { alg: "EdDSA"; kid: string; typ: string };

const encoder = new TextEncoder();
const b64 = (text: string) => toBase64Url(encoder.encode(text));

export async function signCompact(key: SigningKey, typ: string, payload: string): Promise<string> {
  const header: JwsHeader = { alg: "EdDSA", kid: key.kid, typ };
  const input = `${b64(JSON.stringify(header))}.${b64(payload)}`;
  const signature = await crypto.subtle.sign({ name: "Ed25519" }, key.privateKey, encoder.encode(input));
  return `${input}.${toBase64Url(new Uint8Array(signature))}`;
}

export type JwsCheck =
  | { valid: true; kid: string; header: JwsHeader; payload: unknown }
  | { valid: false; kid: string | null; reason: string };

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(fromBase64Url(part)));
  } catch {
    return undefined;
  }
}

/** Checks a compact JWS against the published keys; says why when it does not hold. */
export async function verifyCompact(jws: string, keys: PublicJwk[]): Promise<JwsCheck> {
  const text = jws.trim();
  if (!COMPACT.test(text))
    return {
      valid: false,
      kid: null,
      reason: "Not a compact JWS (three base64url parts separated by dots).",
    };
  const [h, p, s] = text.split(".") as [string, string, string];
  const header = decodeJson(h) as Partial<JwsHeader> | undefined;
  if (!header || typeof header !== "object")
    return { valid: false, kid: null, reason: "The JWS header is not JSON." };
  const kid = typeof header.kid === "string" ? header.kid : null;
  if (header.alg !== "EdDSA")
    return { valid: false, kid, reason: `Unsupported algorithm ${String(header.alg)}; receipts use EdDSA.` };
  const jwk = keys.find((k) => k.kid === kid);
  if (!jwk)
    return {
      valid: false,
      kid,
      reason: `The key ${kid ?? "(none)"} is not one of this service's published receipt keys: the receipt was not signed by us.`,
    };
  const payload = decodeJson(p);
  if (payload === undefined) return { valid: false, kid, reason: "The JWS payload is not JSON." };
  const key = await crypto.subtle.importKey(
    "jwk",
    { kty: "OKP", crv: "Ed25519", x: jwk.x },
    { name: "Ed25519" },
    false,
    ["verify"],
  );
  const signature = ed25519Signature(s);
  if (!signature)
    return {
      valid: false,
      kid,
      reason: `The signature is not ${ED25519_SIGNATURE_BYTES} bytes of base64url, as every Ed25519 signature is: the receipt was altered or cut.`,
    };
  const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, signature, encoder.encode(`${h}.${p}`));
  if (!ok)
    return {
      valid: false,
      kid,
      reason: `The signature does not match key ${kid}: the receipt was altered after it was signed.`,
    };
  return { valid: true, kid: jwk.kid, header: header as JwsHeader, payload };
}
