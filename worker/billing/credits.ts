// Credit enforcement for the AI proxy: reserve the most a request can cost before forwarding it (here); the
// metered cost settles it afterwards with the request's usage row (recordUsage → the object's meterBatch,
// worker/usage/record.ts). The account's Durable Object decides one account's reservations one at a time and
// batches the debits into the D1 ledger (ADR 040).
import { accountObject } from "../account-object/stub";
import { AppError } from "../errors";
import type { KeyLimit } from "./key-spend";
import { isolateLeases, reserveInObject } from "./lease";

/**
 * A reservation held for one request: in the isolate's lease (no round trip), or in the account's object
 * (the fallback); null when nothing was reserved. `keyId`: it was also reserved from that key's allowance.
 */
export type CreditHold =
  | { id: string; accountId: string; amountMicros: number; leaseId?: undefined; keyId?: undefined }
  | { id?: undefined; accountId: string; amountMicros: number; leaseId: string; keyId?: string }
  | null;

const insufficientCredit = () =>
  new AppError(
    402,
    "Your credit balance is too low for this request. Top up or upgrade on the billing page.",
    { code: "insufficient_credit" },
  );

const keySpendLimitReached = () =>
  new AppError(
    402,
    "This API key reached its monthly spend limit. Raise or remove the limit on the keys page, or wait for the next month (UTC).",
    { code: "key_spend_limit_reached" },
  );

/**
 * Reserves up to `maxCostMicros` for one request: from the isolate's lease when it covers it (no await),
 * else in the account's object; throws AppError 402 when the balance cannot cover it — or, with `key`, when
 * that key's remaining monthly spend limit cannot (key_spend_limit_reached). Either way the lease is renewed in
 * the background when due (`background` is the caller's waitUntil).
 */
export function reserveCredit(
  env: Env,
  accountId: string,
  maxCostMicros: number,
  background?: (work: Promise<unknown>) => void,
  key?: KeyLimit,
): Promise<CreditHold> {
  const amountMicros = Math.max(0, Math.ceil(maxCostMicros));
  const now = Date.now();
  const leaseId = isolateLeases.reserve(accountId, amountMicros, now, key);
  if (leaseId) {
    const renewal = background ? isolateLeases.renew(env, accountId, now, key) : undefined;
    if (renewal) background!(renewal);
    return Promise.resolve({ leaseId, accountId, amountMicros, keyId: key?.keyId });
  }
  // A lease the object has not confirmed live for a second is confirmed first (a reversal may have revoked it).
  if (isolateLeases.stale(accountId, now)) {
    return (isolateLeases.renew(env, accountId, now, key, true) ?? Promise.resolve()).then(() => {
      const confirmed = isolateLeases.reserve(accountId, amountMicros, Date.now(), key);
      if (confirmed) return { leaseId: confirmed, accountId, amountMicros, keyId: key?.keyId };
      return reserveOutside(env, accountId, amountMicros, key);
    });
  }
  const renewal = background ? isolateLeases.renew(env, accountId, now, key) : undefined;
  if (renewal) background!(renewal);
  return reserveOutside(env, accountId, amountMicros, key);
}

/** Reserves in the account's object (no usable lease here); 402 when the balance or the key's limit cannot cover it. */
function reserveOutside(
  env: Env,
  accountId: string,
  amountMicros: number,
  key?: KeyLimit,
): Promise<CreditHold> {
  return reserveInObject(env, accountId, amountMicros, isolateLeases, key).then((id) => {
    if (id === null) throw insufficientCredit();
    if (typeof id !== "string") throw keySpendLimitReached();
    return { id, accountId, amountMicros };
  });
}

/**
 * Makes the account's Durable Object re-read its balance after the D1 ledger changed outside it; a reversal that
 * left its leases unbacked revokes them before this returns.
 */
export async function creditChanged(env: Env, accountId: string): Promise<void> {
  await accountObject(env, accountId).creditChanged(accountId);
}

/** Moves the account's buffered debits into the D1 ledger now, so what is shown is complete. */
export async function flushCredits(env: Env, accountId: string): Promise<void> {
  await accountObject(env, accountId).flushCredits();
}
