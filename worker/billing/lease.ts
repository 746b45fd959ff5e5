// The isolate's side of credit leases (ADR 026): a slice of the account's balance, lent by its Durable Object,
// that requests reserve against in memory with no await. It is renewed in the background before it runs low
// or out of time; with no lease (or too small a one) a request reserves in the object as before.
import { accountObject } from "../account-object/stub";
import { sendBatch, watchLeases } from "../usage/batcher";
import type { KeyLimitRefusal, LeaseGrant } from "./credit-desk";
import type { KeyLimit } from "./key-spend";
import type { KeyAsk, LeaseAsk } from "./lease-book";
import { LEASE_CAP_MICROS } from "./lease-terms";

/** A limited key's allowance inside the lease: its share of the key's remaining monthly limit. */
type LocalKey = {
  /** The limit it was granted under; a request seeing another limit (PATCH) gives it back and asks again. */
  limit: number;
  /** What requests of this key here may still reserve. */
  allowance: number;
  lastGrant: number;
  /** Owed back to the object with the next renewal (the limit changed). */
  giveBack: number;
  /** When it was last asked for, so a key at its limit is not asked for on every request. */
  askedAt: number;
};

type LocalLease = {
  id: string;
  /** What requests here may still reserve: grants − reservations in flight − metered costs. */
  limit: number;
  /** Local time after which the lease is not used (the object's expiry, less a margin for clocks and latency). */
  validUntil: number;
  /** The last grant's size; a lease below half of it is renewed. */
  lastGrant: number;
  renewing: boolean;
  /** The renewal in flight, for a request that must wait for it (a stale lease). */
  pending?: Promise<void>;
  /** When the last call whose reply said the lease is live was sent (0: never). */
  heardAt: number;
  keys: Map<string, LocalKey>;
};

type Grant = LeaseGrant | null;
/** Delivers a renewal (with the account's pending usage rows) to the account's object. */
export type LeaseTransport = (env: Env, accountId: string, ask: LeaseAsk) => Promise<Grant>;

/** The isolate stops using a lease this long before the object would reclaim it. */
const EXPIRY_MARGIN_MS = 5_000;
/** A lease with less than this time left is renewed. */
const RENEW_WITH_LEFT_MS = 10_000;
/** A key whose last ask got nothing (it is at its limit) is asked for again at most this often. */
const KEY_ASK_EVERY_MS = 1_000;
/**
 * A lease not confirmed live by the object for this long is confirmed (one round trip) before it admits another
 * request, so an idle isolate learns of a revocation before its next request (ADR 040). Under traffic every usage
 * batch's reply confirms it, every BATCH_MAX_WAIT_MS at most.
 * @internal
 */
export const LEASE_CONFIRM_AFTER_MS = 1_000;

/** The lease's entry for a limited key, made (or reset, when its limit changed) as a request of it sees it. */
function keyOf(lease: LocalLease, key: KeyLimit): LocalKey {
  let local = lease.keys.get(key.keyId);
  if (!local) {
    local = { limit: key.limit, allowance: 0, lastGrant: 0, giveBack: 0, askedAt: 0 };
    lease.keys.set(key.keyId, local);
  } else if (local.limit !== key.limit) {
    local.giveBack += Math.max(0, local.allowance);
    local.allowance = 0;
    local.lastGrant = 0;
    local.askedAt = 0;
    local.limit = key.limit;
  }
  return local;
}

function keyDue(local: LocalKey, now: number): boolean {
  if (local.giveBack > 0) return true;
  if (local.lastGrant === 0) return now - local.askedAt >= KEY_ASK_EVERY_MS;
  return local.allowance < local.lastGrant / 2;
}

/** One isolate's leases, one per account (the Worker has one; the tests make several to act as isolates). */
export class IsolateLeases {
  private readonly leases = new Map<string, LocalLease>();
  /** Reservations answered from a lease, and those that went to the object (for the bench). */
  readonly stats = { local: 0, remote: 0, renewals: 0 };

  constructor(
    private readonly transport: LeaseTransport = sendBatch,
    private readonly ttlMs?: number,
  ) {}

  /**
   * Reserves `amount` from the account's lease in this isolate — and, for a key with a monthly spend limit,
   * from that key's allowance in it too; returns the lease id, or undefined (reserve in the object instead).
   */
  reserve(accountId: string, amount: number, now: number, key?: KeyLimit): string | undefined {
    const lease = this.leases.get(accountId);
    const needed = Math.max(amount, 1);
    if (!lease || now >= lease.validUntil || lease.limit < needed) return undefined;
    if (now - lease.heardAt > LEASE_CONFIRM_AFTER_MS) return undefined;
    if (key) {
      const local = keyOf(lease, key);
      if (local.allowance < needed) return undefined;
      local.allowance -= amount;
    }
    lease.limit -= amount;
    this.stats.local += 1;
    return lease.id;
  }

  /**
   * A request that reserved `reserved` from the lease (and from its key's allowance, when `keyId`) was metered
   * at `cost`: the difference comes back.
   */
  settle(accountId: string, leaseId: string, reserved: number, cost: number, keyId?: string): void {
    const lease = this.leases.get(accountId);
    if (lease?.id !== leaseId) return;
    lease.limit += reserved - cost;
    const local = keyId ? lease.keys.get(keyId) : undefined;
    if (local) local.allowance += reserved - cost;
  }

  /**
   * Before a reservation in the object: this isolate's unused slice (and the key's unused allowance) goes back
   * in the same call, so neither stands between the request and the balance or the key's limit.
   */
  surrender(accountId: string, keyId?: string): LeaseAsk | undefined {
    this.stats.remote += 1;
    const lease = this.leases.get(accountId);
    if (!lease) return undefined;
    const local = keyId ? lease.keys.get(keyId) : undefined;
    const keyBack = local ? Math.max(0, local.allowance) + local.giveBack : 0;
    if (lease.limit <= 0 && keyBack <= 0) return undefined;
    const giveBack = Math.max(0, lease.limit);
    lease.limit -= giveBack;
    const keys: KeyAsk[] = [];
    if (local && keyId && keyBack > 0) {
      keys.push({ keyId, limit: local.limit, giveBack: keyBack, wanted: 0 });
      local.allowance -= Math.max(0, local.allowance);
      local.giveBack = 0;
    }
    return { leaseId: lease.id, giveBack, wanted: 0, ...(keys.length ? { keys } : {}) };
  }

  /**
   * Renews the account's lease when it is missing, low or past half its time, or when a limited key's allowance
   * in it is (`key`: the key of the request at hand); hand the promise to waitUntil.
   */
  renew(
    env: Env,
    accountId: string,
    now = Date.now(),
    key?: KeyLimit,
    /** Renew even when not due (a stale lease is confirmed); returns the renewal already in flight, if any. */
    force = false,
  ): Promise<void> | undefined {
    let lease = this.leases.get(accountId);
    if (lease && !lease.renewing && now >= lease.validUntil) {
      this.leases.delete(accountId); // expired here: its in-flight debits still reach the object under its id
      lease = undefined;
    }
    if (!lease) {
      lease = {
        id: crypto.randomUUID(),
        limit: 0,
        validUntil: 0,
        lastGrant: 0,
        renewing: false,
        heardAt: 0,
        keys: new Map(),
      };
      this.leases.set(accountId, lease);
    }
    if (key) keyOf(lease, key);
    if (lease.renewing) return force ? lease.pending : undefined;
    const keysDue = [...lease.keys.values()].some((local) => keyDue(local, now));
    if (
      !force &&
      lease.limit >= lease.lastGrant / 2 &&
      lease.validUntil - now >= RENEW_WITH_LEFT_MS &&
      !keysDue
    )
      return undefined;
    const current = lease;
    current.renewing = true;
    this.stats.renewals += 1;
    const sentAt = Date.now();
    const wanted = Math.max(0, LEASE_CAP_MICROS - current.limit);
    const asked = new Map<string, number>();
    const keys: KeyAsk[] = [];
    for (const [keyId, local] of current.keys) {
      local.askedAt = now;
      asked.set(keyId, local.limit);
      keys.push({
        keyId,
        limit: local.limit,
        giveBack: local.giveBack,
        wanted: Math.max(0, LEASE_CAP_MICROS - local.allowance),
      });
      local.giveBack = 0;
    }
    current.pending = this.transport(env, accountId, {
      leaseId: current.id,
      giveBack: 0,
      wanted,
      ttlMs: this.ttlMs,
      ...(keys.length ? { keys } : {}),
    }).then(
      (answer) => {
        current.renewing = false;
        if (!answer) return;
        this.heard(accountId, current.id, answer, Date.now());
        if (answer.live === false) return;
        current.limit += answer.granted;
        for (const [keyId, granted] of Object.entries(answer.keys ?? {})) {
          const local = current.keys.get(keyId);
          if (!local) continue;
          // Granted under a limit that changed meanwhile: it goes straight back with the next renewal.
          if (local.limit !== asked.get(keyId)) local.giveBack += granted;
          else {
            local.allowance += granted;
            local.lastGrant = Math.max(granted, Math.floor(local.lastGrant / 2));
          }
        }
        current.lastGrant = Math.max(answer.granted, current.lastGrant / 2);
        // Timed from before the call: the object's clock started later, so its expiry comes later still.
        if (answer.ttlMs > 0)
          current.validUntil = sentAt + answer.ttlMs - Math.min(EXPIRY_MARGIN_MS, answer.ttlMs / 4);
      },
      () => {
        current.renewing = false;
      },
    );
    return current.pending;
  }

  /**
   * The account's lease could serve requests but the object has not confirmed it live for LEASE_CONFIRM_AFTER_MS:
   * the next request waits for a renewal first (`renew(…, true)`).
   */
  stale(accountId: string, now: number): boolean {
    const lease = this.leases.get(accountId);
    return (
      lease !== undefined &&
      lease.limit > 0 &&
      now < lease.validUntil &&
      now - lease.heardAt > LEASE_CONFIRM_AFTER_MS
    );
  }

  /**
   * The lease this isolate holds for the account, once granted (what a usage batch asks the object about; one not
   * granted yet is the renewal's to learn about).
   */
  leaseOf(accountId: string): string | undefined {
    const lease = this.leases.get(accountId);
    return lease && lease.heardAt > 0 ? lease.id : undefined;
  }

  /**
   * The object's answer about the account's lease arrived (`at`): confirmed live, or gone (revoked by a reversal,
   * expired, never granted) — then it is dropped here, and the next request reserves in the object. Timed from the
   * arrival, not the sending: a busy object's slow answer must not leave every lease stale; the object read the
   * lease's state at most one reply's transit before `at`.
   */
  heard(accountId: string, leaseId: string, reply: LeaseGrant, at: number): void {
    const lease = this.leases.get(accountId);
    if (lease?.id !== leaseId) return;
    if (reply.live === false) this.leases.delete(accountId);
    else lease.heardAt = Math.max(lease.heardAt, at);
  }

  /** What the isolate may still reserve from the account's lease (0 without one). */
  available(accountId: string): number {
    return Math.max(0, this.leases.get(accountId)?.limit ?? 0);
  }
}

/** This isolate's leases; every usage batch's reply tells them whether the lease is still live. */
export const isolateLeases = new IsolateLeases();
watchLeases(isolateLeases);

/**
 * Reserves in the object itself (no usable lease here), giving back this isolate's slice first; with `key`,
 * the key's monthly spend limit is checked there too.
 */
export function reserveInObject(
  env: Env,
  accountId: string,
  amount: number,
  leases?: IsolateLeases,
): Promise<string | null>;
export function reserveInObject(
  env: Env,
  accountId: string,
  amount: number,
  leases: IsolateLeases | undefined,
  key: KeyLimit | undefined,
): Promise<string | null | KeyLimitRefusal>;
export function reserveInObject(
  env: Env,
  accountId: string,
  amount: number,
  leases = isolateLeases,
  key?: KeyLimit,
): Promise<string | null | KeyLimitRefusal> {
  return accountObject(env, accountId).reserveCredit(
    accountId,
    amount,
    leases.surrender(accountId, key?.keyId),
    key,
  );
}
