// The terms of a credit lease (ADR 026), as pure arithmetic: how big a slice the account object lends, how long
// it lives, and what a give-back may take. lease-book.ts applies them to its SQLite; tests/node/lease-terms.test.ts
// checks them (npm run mutate).

/**
 * A lease is valid this long after its last grant; an isolate renews well before.
 * @internal
 */
export const LEASE_TTL_MS = 30_000;
/** Each grant is at most this share of what is available, so many isolates can hold one at once. */
const LEASE_SHARE = 8;
/** And at most this much (micro-USD), whatever the balance. */
export const LEASE_CAP_MICROS = 5_000_000;
/** A slice under 1 cent is not worth a lease (near an empty balance): the isolate reserves per request instead. */
const LEASE_MIN_MICROS = 10_000;

/** Up to `wanted`, at most an eighth of `available` (already net of every live lease and hold) and the cap. */
function share(wanted: number, available: number): number {
  return Math.min(wanted, LEASE_CAP_MICROS, Math.floor(available / LEASE_SHARE));
}

/** What a grant adds to a lease: its share of what is available, or nothing when that is under a cent. */
export function leaseSlice(wanted: number, available: number): number {
  const slice = share(wanted, available);
  return slice >= LEASE_MIN_MICROS ? slice : 0;
}

/** What a grant adds to a key's allowance: its share of the key's remaining monthly limit (never below 0). */
export function keySlice(wanted: number, remaining: number): number {
  return Math.max(0, share(wanted, remaining));
}

/** How long a grant lasts: the ttl the isolate asked for, never longer than LEASE_TTL_MS. */
export function leaseTtl(asked?: number): number {
  return Math.min(asked ?? LEASE_TTL_MS, LEASE_TTL_MS);
}

/** When a lease granted at `now` expires. */
export function leaseExpiry(now: number, ttlMs?: number): number {
  return now + leaseTtl(ttlMs);
}

/** A lease (or a key's allowance in it) counts until its expiry, not at it. */
export function isLive(expiresAt: number, now: number): boolean {
  return expiresAt > now;
}

/** What a give-back of `amount` takes from `outstanding`: never more than it still holds, never below 0. */
export function takenBack(amount: number, outstanding: number): number {
  return amount <= 0 ? 0 : Math.min(amount, Math.max(0, outstanding));
}
