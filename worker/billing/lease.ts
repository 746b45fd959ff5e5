// The isolate's side of credit leases (ADR 026): a slice of the account's balance, lent by its Durable Object,
// that requests reserve against in memory with no await. It is renewed in the background before it runs low
// or out of time; with no lease (or too small a one) a request reserves in the object as before.
import { accountObject } from "../account/stub";
import { sendBatch } from "../usage/batcher";
import { LEASE_CAP_MICROS, type LeaseAsk } from "./lease-book";

type LocalLease = {
  id: string;
  /** What requests here may still reserve: grants − reservations in flight − metered costs. */
  limit: number;
  /** Local time after which the lease is not used (the object's expiry, less a margin for clocks and latency). */
  validUntil: number;
  /** The last grant's size; a lease below half of it is renewed. */
  lastGrant: number;
  renewing: boolean;
};

type Grant = { granted: number; ttlMs: number } | null;
/** Delivers a renewal (with the account's pending usage rows) to the account's object. */
export type LeaseTransport = (env: Env, accountId: string, ask: LeaseAsk) => Promise<Grant>;

/** The isolate stops using a lease this long before the object would reclaim it. */
const EXPIRY_MARGIN_MS = 5_000;
/** A lease with less than this time left is renewed. */
const RENEW_WITH_LEFT_MS = 10_000;

/** One isolate's leases, one per account (the Worker has one; the tests make several to act as isolates). */
export class IsolateLeases {
  private readonly leases = new Map<string, LocalLease>();
  /** Reservations answered from a lease, and those that went to the object (for the bench). */
  readonly stats = { local: 0, remote: 0, renewals: 0 };

  constructor(
    private readonly transport: LeaseTransport = sendBatch,
    private readonly ttlMs?: number,
  ) {}

  /** Reserves `amount` from the account's lease in this isolate; returns the lease id, or undefined. */
  reserve(accountId: string, amount: number, now: number): string | undefined {
    const lease = this.leases.get(accountId);
    if (!lease || now >= lease.validUntil || lease.limit < Math.max(amount, 1)) return undefined;
    lease.limit -= amount;
    this.stats.local += 1;
    return lease.id;
  }

  /** A request that reserved `reserved` from the lease was metered at `cost`: the difference comes back. */
  settle(accountId: string, leaseId: string, reserved: number, cost: number): void {
    const lease = this.leases.get(accountId);
    if (lease?.id === leaseId) lease.limit += reserved - cost;
  }

  /** Before a reservation in the object: this isolate's unused slice goes back in the same call. */
  surrender(accountId: string): LeaseAsk | undefined {
    this.stats.remote += 1;
    const lease = this.leases.get(accountId);
    if (!lease || lease.limit <= 0) return undefined;
    const giveBack = lease.limit;
    lease.limit = 0;
    return { leaseId: lease.id, giveBack, wanted: 0 };
  }

  /** Renews the account's lease when it is missing, low or past half its time; hand the promise to waitUntil. */
  renew(env: Env, accountId: string, now = Date.now()): Promise<void> | undefined {
    let lease = this.leases.get(accountId);
    if (lease && !lease.renewing && now >= lease.validUntil) {
      this.leases.delete(accountId); // expired here: its in-flight debits still reach the object under its id
      lease = undefined;
    }
    if (
      lease &&
      (lease.renewing || (lease.limit >= lease.lastGrant / 2 && lease.validUntil - now >= RENEW_WITH_LEFT_MS))
    )
      return undefined;
    if (!lease) {
      lease = { id: crypto.randomUUID(), limit: 0, validUntil: 0, lastGrant: 0, renewing: false };
      this.leases.set(accountId, lease);
    }
    const current = lease;
    current.renewing = true;
    this.stats.renewals += 1;
    const sentAt = Date.now();
    const wanted = Math.max(0, LEASE_CAP_MICROS - current.limit);
    return this.transport(env, accountId, {
      leaseId: current.id,
      giveBack: 0,
      wanted,
      ttlMs: this.ttlMs,
    }).then(
      (answer) => {
        current.renewing = false;
        if (!answer) return;
        current.limit += answer.granted;
        current.lastGrant = Math.max(answer.granted, current.lastGrant / 2);
        // Timed from before the call: the object's clock started later, so its expiry comes later still.
        if (answer.ttlMs > 0)
          current.validUntil = sentAt + answer.ttlMs - Math.min(EXPIRY_MARGIN_MS, answer.ttlMs / 4);
      },
      () => {
        current.renewing = false;
      },
    );
  }

  /** What the isolate may still reserve from the account's lease (0 without one). */
  available(accountId: string): number {
    return Math.max(0, this.leases.get(accountId)?.limit ?? 0);
  }
}

/** This isolate's leases. */
export const isolateLeases = new IsolateLeases();

/** Reserves in the object itself (no usable lease here), giving back this isolate's slice first. */
export async function reserveInObject(
  env: Env,
  accountId: string,
  amount: number,
  leases = isolateLeases,
): Promise<string | null> {
  return accountObject(env, accountId).reserveCredit(accountId, amount, leases.surrender(accountId));
}
