// X-Hub-Signature-256: HMAC-SHA256 of the raw request body under the Meta app secret, compared in constant time.
import { timingSafeEqual, toHex } from "../crypto/encoding";

const HEADER = /^sha256=([0-9a-f]{64})$/i;

/** The hex digest from the header, or null when the header is missing or malformed. */
export function parseSignature(header: string | undefined | null): string | null {
  const match = header?.trim().match(HEADER);
  return match ? match[1]!.toLowerCase() : null;
}

export async function signBody(appSecret: string, body: Uint8Array<ArrayBuffer> | string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(appSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return toHex(await crypto.subtle.sign("HMAC", key, bytes));
}

/** True when `digest` is the HMAC of exactly these bytes under `appSecret`. */
export async function verifySignature(
  appSecret: string,
  body: Uint8Array<ArrayBuffer>,
  digest: string,
): Promise<boolean> {
  return timingSafeEqual(await signBody(appSecret, body), digest);
}
