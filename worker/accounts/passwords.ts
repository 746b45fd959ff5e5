// Password hashing: PBKDF2-SHA256 through WebCrypto at the Workers cap, iteration count stored per hash.
import { fromBase64Url, randomBytes, timingSafeEqual, toBase64Url } from "../crypto/encoding";

/** Workers refuse PBKDF2 above 100,000 iterations; raise this (and rehash on login) if that changes. */
/** @internal Exported for the docs test: ADR 002 quotes it. */
export const PASSWORD_ITERATIONS = 100_000;

export type PasswordHash = { hash: string; salt: string; iterations: number };

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations },
    key,
    256,
  );
  return toBase64Url(new Uint8Array(bits));
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  return {
    hash: await derive(password, salt, PASSWORD_ITERATIONS),
    salt: toBase64Url(salt),
    iterations: PASSWORD_ITERATIONS,
  };
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const candidate = await derive(password, fromBase64Url(stored.salt), stored.iterations);
  return timingSafeEqual(candidate, stored.hash);
}

/** A fixed hash to verify against when the email is unknown, so both paths cost the same. */
export const DUMMY_HASH: PasswordHash = {
  hash: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  salt: "AAAAAAAAAAAAAAAAAAAAAA",
  iterations: PASSWORD_ITERATIONS,
};
