// The isolate's side of credit leases (ADR 026, 040) with the object replaced by a transport that answers as the
// account object does: what a lease lets requests reserve, how a slice is spent down and stops, what goes back,
// when it renews, and how a revocation or silence stops it.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LeaseGrant } from "#worker/billing/credit-desk";
import {
  IsolateLeases,
  LEASE_CONFIRM_AFTER_MS,
  type LeaseTransport,
  reserveInObject,
} from "#worker/billing/lease";
import type { LeaseAsk } from "#worker/billing/lease-book";
import { LEASE_CAP_MICROS } from "#worker/billing/lease-terms";

const env = {} as Env;
const ACCOUNT = "acct_1";
const T0 = Date.UTC(2026, 11, 6, 12);

/** A transport that grants `grant` (or what `answer` says) and records every ask. */
function object(answer: (ask: LeaseAsk) => LeaseGrant | null = () => ({ granted: 1_000, ttlMs: 30_000 })) {
  const asks: LeaseAsk[] = [];
  const transport: LeaseTransport = async (_env, _account, ask) => {
    asks.push(ask);
    return answer(ask);
  };
  return { asks, transport };
}

async function leased(grant = 1_000, ttlMs = 30_000) {
  const o = object(() => ({ granted: grant, ttlMs }));
  const leases = new IsolateLeases(o.transport);
  await leases.renew(env, ACCOUNT, Date.now());
  return { leases, ...o };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

describe("IsolateLeases", () => {
  it("reserves nothing without a lease, and asks the object for a full slice", async () => {
    const o = object();
    const leases = new IsolateLeases(o.transport);
    expect(leases.reserve(ACCOUNT, 10, T0)).toBeUndefined();
    expect(leases.available(ACCOUNT)).toBe(0);
    await leases.renew(env, ACCOUNT, T0);
    expect(o.asks).toHaveLength(1);
    expect(o.asks[0]).toMatchObject({ giveBack: 0, wanted: LEASE_CAP_MICROS });
    expect(leases.available(ACCOUNT)).toBe(1_000);
    expect(leases.stats.renewals).toBe(1);
  });

  it("spends one isolate's slice down and stops: Σ reserved never exceeds the grant", async () => {
    const { leases } = await leased(1_000);
    let reserved = 0;
    for (let i = 0; i < 20; i++) {
      const id = leases.reserve(ACCOUNT, 70, T0);
      if (!id) break;
      reserved += 70;
      leases.settle(ACCOUNT, id, 70, 70);
    }
    expect(reserved).toBe(980);
    expect(leases.available(ACCOUNT)).toBe(20);
    expect(leases.reserve(ACCOUNT, 21, T0)).toBeUndefined();
    expect(leases.reserve(ACCOUNT, 20, T0)).toBeDefined();
    expect(leases.available(ACCOUNT)).toBe(0);
    expect(leases.stats.local).toBe(15);
  });

  it("gives back reserved − cost when a request settles, never the whole reservation", async () => {
    const { leases } = await leased(1_000);
    const id = leases.reserve(ACCOUNT, 600, T0)!;
    expect(leases.available(ACCOUNT)).toBe(400);
    leases.settle(ACCOUNT, id, 600, 250);
    expect(leases.available(ACCOUNT)).toBe(750);
    leases.settle(ACCOUNT, "another-lease", 100, 0);
    expect(leases.available(ACCOUNT)).toBe(750);
  });

  it("a zero-cost reservation still needs one micro-dollar in the lease", async () => {
    const { leases } = await leased(1);
    expect(leases.reserve(ACCOUNT, 0, T0)).toBeDefined();
    const { leases: empty } = await leased(0);
    expect(empty.reserve(ACCOUNT, 0, T0)).toBeUndefined();
  });

  it("stops using a lease before the object would reclaim it (the margin is 5 s, or a quarter of a short ttl)", async () => {
    for (const [ttlMs, usableFor] of [
      [30_000, 25_000],
      [4_000, 3_000],
    ] as const) {
      const { leases, asks } = await leased(1_000, ttlMs);
      const confirm = (at: number) => leases.heard(ACCOUNT, asks[0]!.leaseId, { granted: 0, ttlMs: 0 }, at);
      confirm(T0 + usableFor - 500);
      expect(leases.reserve(ACCOUNT, 1, T0 + usableFor - 1), `ttl ${ttlMs}`).toBeDefined();
      expect(leases.reserve(ACCOUNT, 1, T0 + usableFor), `ttl ${ttlMs}`).toBeUndefined();
      expect(leases.stale(ACCOUNT, T0 + usableFor)).toBe(false);
    }
  });

  it("admits nothing on a lease the object has not confirmed live for a second, until a reply confirms it", async () => {
    const { leases, asks } = await leased(1_000);
    const at = T0 + LEASE_CONFIRM_AFTER_MS;
    expect(leases.stale(ACCOUNT, at)).toBe(false);
    expect(leases.reserve(ACCOUNT, 1, at)).toBeDefined();
    expect(leases.stale(ACCOUNT, at + 1)).toBe(true);
    expect(leases.reserve(ACCOUNT, 1, at + 1)).toBeUndefined();
    leases.heard(ACCOUNT, asks[0]!.leaseId, { granted: 0, ttlMs: 0, live: true }, at + 1);
    expect(leases.stale(ACCOUNT, at + 1)).toBe(false);
    expect(leases.reserve(ACCOUNT, 1, at + 1)).toBeDefined();
  });

  it("drops a lease the object says is revoked; the next request reserves in the object", async () => {
    const { leases, asks } = await leased(1_000);
    expect(leases.leaseOf(ACCOUNT)).toBe(asks[0]!.leaseId);
    leases.heard(ACCOUNT, "not-this-lease", { granted: 0, ttlMs: 0, live: false }, T0);
    expect(leases.available(ACCOUNT)).toBe(1_000);
    leases.heard(ACCOUNT, asks[0]!.leaseId, { granted: 0, ttlMs: 0, live: false }, T0);
    expect(leases.available(ACCOUNT)).toBe(0);
    expect(leases.leaseOf(ACCOUNT)).toBeUndefined();
    expect(leases.reserve(ACCOUNT, 1, T0)).toBeUndefined();
  });

  it("adds nothing from a renewal whose reply says the lease is not live", async () => {
    const o = object(() => ({ granted: 500, ttlMs: 30_000, live: false }));
    const leases = new IsolateLeases(o.transport);
    await leases.renew(env, ACCOUNT, T0);
    expect(leases.available(ACCOUNT)).toBe(0);
  });

  it("renews only when low (under half the last grant), short of time (< 10 s), or forced", async () => {
    const { leases, asks } = await leased(1_000);
    expect(leases.renew(env, ACCOUNT, T0)).toBeUndefined();
    leases.reserve(ACCOUNT, 500, T0);
    expect(leases.renew(env, ACCOUNT, T0)).toBeUndefined(); // exactly half left
    leases.reserve(ACCOUNT, 1, T0);
    await leases.renew(env, ACCOUNT, T0);
    expect(asks).toHaveLength(2);
    expect(asks[1]!.wanted).toBe(LEASE_CAP_MICROS - 499);
    const { leases: fresh, asks: freshAsks } = await leased(1_000);
    expect(fresh.renew(env, ACCOUNT, T0 + 15_000)).toBeUndefined();
    await fresh.renew(env, ACCOUNT, T0 + 15_001);
    expect(freshAsks).toHaveLength(2);
    await fresh.renew(env, ACCOUNT, T0 + 15_002, undefined, true);
    expect(freshAsks).toHaveLength(3);
  });

  it("sends one renewal at a time; a forced ask joins the one in flight", async () => {
    let release!: (g: LeaseGrant) => void;
    const asks: LeaseAsk[] = [];
    const leases = new IsolateLeases(async (_e, _a, ask) => {
      asks.push(ask);
      return new Promise<LeaseGrant>((resolve) => (release = resolve));
    });
    const first = leases.renew(env, ACCOUNT, T0)!;
    expect(leases.renew(env, ACCOUNT, T0)).toBeUndefined();
    expect(leases.renew(env, ACCOUNT, T0, undefined, true)).toBe(first);
    release({ granted: 300, ttlMs: 30_000 });
    await first;
    expect(asks).toHaveLength(1);
    expect(leases.available(ACCOUNT)).toBe(300);
  });

  it("keeps going after a failed renewal", async () => {
    let fail = true;
    const leases = new IsolateLeases(async () => {
      if (fail) throw new Error("object away");
      return { granted: 200, ttlMs: 30_000 };
    });
    await leases.renew(env, ACCOUNT, T0);
    expect(leases.available(ACCOUNT)).toBe(0);
    fail = false;
    await leases.renew(env, ACCOUNT, T0);
    expect(leases.available(ACCOUNT)).toBe(200);
  });

  it("forgets an expired lease and starts a new one under a new id", async () => {
    const { leases, asks } = await leased(1_000);
    await leases.renew(env, ACCOUNT, T0 + 30_000);
    expect(asks).toHaveLength(2);
    expect(asks[1]!.leaseId).not.toBe(asks[0]!.leaseId);
    expect(asks[1]!.wanted).toBe(LEASE_CAP_MICROS);
  });

  it("surrenders the unused slice before a reservation in the object, once", async () => {
    const { leases, asks } = await leased(1_000);
    leases.reserve(ACCOUNT, 300, T0);
    expect(leases.surrender(ACCOUNT)).toEqual({ leaseId: asks[0]!.leaseId, giveBack: 700, wanted: 0 });
    expect(leases.available(ACCOUNT)).toBe(0);
    expect(leases.surrender(ACCOUNT)).toBeUndefined();
    expect(new IsolateLeases(object().transport).surrender(ACCOUNT)).toBeUndefined();
    expect(leases.stats.remote).toBe(3 - 1);
  });

  it("ignores answers and settlements for an account it holds no lease for", () => {
    const leases = new IsolateLeases(object().transport);
    expect(() => leases.settle("nobody", "lease", 10, 5)).not.toThrow();
    expect(() => leases.heard("nobody", "lease", { granted: 0, ttlMs: 0, live: false }, T0)).not.toThrow();
    expect(leases.stale("nobody", T0)).toBe(false);
    expect(leases.available("nobody")).toBe(0);
  });

  it("a renewal the object does not answer (null) leaves the lease ungranted", async () => {
    const leases = new IsolateLeases(object(() => null).transport);
    await expect(leases.renew(env, ACCOUNT, T0)).resolves.toBeUndefined();
    expect(leases.available(ACCOUNT)).toBe(0);
    expect(leases.leaseOf(ACCOUNT)).toBeUndefined();
  });

  it("names no lease to a usage batch until the object has granted one", async () => {
    let release!: (g: LeaseGrant) => void;
    const leases = new IsolateLeases(async () => new Promise<LeaseGrant>((resolve) => (release = resolve)));
    const renewal = leases.renew(env, ACCOUNT, T0)!;
    expect(leases.leaseOf(ACCOUNT)).toBeUndefined();
    release({ granted: 100, ttlMs: 30_000 });
    await renewal;
    expect(leases.leaseOf(ACCOUNT)).toBeDefined();
  });

  it("is not stale once spent to nothing, nor once past its time", async () => {
    const { leases } = await leased(1_000);
    // Never confirmed after the grant at T0: past LEASE_CONFIRM_AFTER_MS it would be stale, were it usable.
    expect(leases.stale(ACCOUNT, T0 + 25_000 - 1)).toBe(true);
    expect(leases.stale(ACCOUNT, T0 + 25_000)).toBe(false);
    const { leases: spent } = await leased(100);
    spent.reserve(ACCOUNT, 100, T0);
    expect(spent.stale(ACCOUNT, T0 + 2_000)).toBe(false);
  });

  it("starts a new lease the moment the old one stops being usable", async () => {
    const { leases, asks } = await leased(1_000);
    await leases.renew(env, ACCOUNT, T0 + 25_000);
    expect(asks[1]!.leaseId).not.toBe(asks[0]!.leaseId);
  });

  it("a reservation in the object gives back this isolate's slice in the same call, with the key", async () => {
    const { leases, asks } = await leased(1_000);
    leases.reserve(ACCOUNT, 400, T0);
    const calls: unknown[][] = [];
    const objectEnv = {
      ACCOUNT: {
        getByName: (id: string) => ({
          reserveCredit: async (...args: unknown[]) => {
            calls.push([id, ...args]);
            return "hold_1";
          },
        }),
      },
    } as unknown as Env;
    const key = { keyId: "key_9", limit: 5_000 };
    expect(await reserveInObject(objectEnv, ACCOUNT, 250, leases, key)).toBe("hold_1");
    expect(calls).toEqual([
      [ACCOUNT, ACCOUNT, 250, { leaseId: asks[0]!.leaseId, giveBack: 600, wanted: 0 }, key],
    ]);
    expect(leases.available(ACCOUNT)).toBe(0);
    await reserveInObject(objectEnv, ACCOUNT, 1, leases);
    expect(calls[1]).toEqual([ACCOUNT, ACCOUNT, 1, undefined, undefined]);
  });

  describe("a key with a monthly spend limit", () => {
    const key = { keyId: "key_1", limit: 10_000 };
    /** An object that grants the lease 1,000 and each key what `keyGrant` says. */
    const keyed = (keyGrant: number) =>
      object((ask) => ({
        granted: 1_000,
        ttlMs: 30_000,
        keys: Object.fromEntries((ask.keys ?? []).map((k) => [k.keyId, keyGrant])),
      }));

    it("reserves only within the key's allowance, granted with the lease", async () => {
      const o = keyed(100);
      const leases = new IsolateLeases(o.transport);
      await leases.renew(env, ACCOUNT, T0, key);
      expect(o.asks[0]!.keys).toEqual([
        { keyId: "key_1", limit: 10_000, giveBack: 0, wanted: LEASE_CAP_MICROS },
      ]);
      const id = leases.reserve(ACCOUNT, 80, T0, key)!;
      expect(id).toBeDefined();
      expect(leases.reserve(ACCOUNT, 21, T0, key)).toBeUndefined();
      leases.settle(ACCOUNT, id, 80, 30, "key_1");
      expect(leases.reserve(ACCOUNT, 71, T0, key)).toBeUndefined();
      expect(leases.reserve(ACCOUNT, 70, T0, key)).toBeDefined();
      expect(leases.available(ACCOUNT)).toBe(1_000 - 30 - 70);
    });

    it("renews for a key whose allowance fell below half its last grant, asking for the rest of the cap", async () => {
      const o = keyed(100);
      const leases = new IsolateLeases(o.transport);
      await leases.renew(env, ACCOUNT, T0, key);
      leases.reserve(ACCOUNT, 50, T0, key);
      expect(leases.renew(env, ACCOUNT, T0, key)).toBeUndefined(); // exactly half left
      leases.reserve(ACCOUNT, 10, T0, key);
      await leases.renew(env, ACCOUNT, T0, key);
      expect(o.asks).toHaveLength(2);
      expect(o.asks[1]!.keys).toEqual([
        { keyId: "key_1", limit: 10_000, giveBack: 0, wanted: LEASE_CAP_MICROS - 40 },
      ]);
    });

    it("asks again for a key at its limit (granted nothing) at most once a second", async () => {
      const o = keyed(0);
      const leases = new IsolateLeases(o.transport);
      await leases.renew(env, ACCOUNT, T0, key);
      expect(leases.reserve(ACCOUNT, 1, T0, key)).toBeUndefined();
      expect(leases.renew(env, ACCOUNT, T0 + 999, key)).toBeUndefined();
      await leases.renew(env, ACCOUNT, T0 + 1_000, key);
      expect(o.asks).toHaveLength(2);
    });

    it("surrenders a key's allowance even when the lease itself is spent, and only once", async () => {
      const o = object((ask) => ({
        granted: 100,
        ttlMs: 30_000,
        keys: Object.fromEntries((ask.keys ?? []).map((k) => [k.keyId, 1_000])),
      }));
      const leases = new IsolateLeases(o.transport);
      await leases.renew(env, ACCOUNT, T0, key);
      leases.reserve(ACCOUNT, 100, T0, key);
      expect(leases.surrender(ACCOUNT, "key_1")).toEqual({
        leaseId: o.asks[0]!.leaseId,
        giveBack: 0,
        wanted: 0,
        keys: [{ keyId: "key_1", limit: 10_000, giveBack: 900, wanted: 0 }],
      });
      expect(leases.surrender(ACCOUNT, "key_1")).toBeUndefined();
    });

    it("surrenders no key entry when the key has nothing left to give", async () => {
      const o = keyed(100);
      const leases = new IsolateLeases(o.transport);
      await leases.renew(env, ACCOUNT, T0, key);
      leases.reserve(ACCOUNT, 100, T0, key);
      expect(leases.surrender(ACCOUNT, "key_1")).toEqual({
        leaseId: o.asks[0]!.leaseId,
        giveBack: 900,
        wanted: 0,
      });
    });

    it("a grant that lands after the key's limit changed goes back whole with the next renewal", async () => {
      let release!: (g: LeaseGrant) => void;
      const asks: LeaseAsk[] = [];
      const leases = new IsolateLeases(async (_e, _a, ask) => {
        asks.push(ask);
        return new Promise<LeaseGrant>((resolve) => (release = resolve));
      });
      const first = leases.renew(env, ACCOUNT, T0, key)!;
      // The key's limit changes while the renewal is in flight (a request of it sees the new one).
      expect(leases.renew(env, ACCOUNT, T0, { keyId: "key_1", limit: 5_000 })).toBeUndefined();
      release({ granted: 1_000, ttlMs: 30_000, keys: { key_1: 300 } });
      await first;
      expect(leases.reserve(ACCOUNT, 1, T0, { keyId: "key_1", limit: 5_000 })).toBeUndefined();
      expect(leases.surrender(ACCOUNT, "key_1")?.keys).toEqual([
        { keyId: "key_1", limit: 5_000, giveBack: 300, wanted: 0 },
      ]);
    });

    it("gives the allowance back when the key's limit changes, and on surrender", async () => {
      const o = keyed(100);
      const leases = new IsolateLeases(o.transport);
      await leases.renew(env, ACCOUNT, T0, key);
      expect(leases.reserve(ACCOUNT, 10, T0, { keyId: "key_1", limit: 5_000 })).toBeUndefined();
      await leases.renew(env, ACCOUNT, T0, { keyId: "key_1", limit: 5_000 });
      expect(o.asks[1]!.keys).toEqual([
        { keyId: "key_1", limit: 5_000, giveBack: 100, wanted: LEASE_CAP_MICROS },
      ]);
      const back = leases.surrender(ACCOUNT, "key_1");
      expect(back?.keys).toEqual([{ keyId: "key_1", limit: 5_000, giveBack: 100, wanted: 0 }]);
    });
  });
});
