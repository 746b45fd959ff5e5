// Credit leases in workerd (ADR 026): several simulated isolates lease from one account's real Durable
// Object and reserve in memory; under 1,000 concurrent requests the balance is never overspent, every
// request is debited exactly once (retried batches included), and an abandoned lease is reclaimed.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountObject } from "#worker/account-object/stub";
import { flushCredits } from "#worker/billing/credits";
import { reserveInObject } from "#worker/billing/lease";
import { balanceOf, setBalance } from "../support/billing-helpers";
import { newUser } from "../support/helpers";
import { allAtOnce, isolates, meteredRow } from "../support/isolates";

async function debited(accountId: string): Promise<number> {
  await accountObject(env, accountId).flushUsage();
  await flushCredits(env, accountId);
  const r = await env.DB.prepare(
    "SELECT coalesce(sum(requests), 0) AS n, coalesce(sum(cost_micros), 0) AS cost FROM usage_hourly WHERE account_id = ?",
  )
    .bind(accountId)
    .first<{ n: number; cost: number }>();
  return r!.cost;
}

describe("credit leases", () => {
  it("1,000 concurrent requests over 8 isolates never overspend and debit each request exactly once", async () => {
    const { id } = await newUser();
    const BALANCE = 400_000;
    await setBalance(id, BALANCE);
    const leases = isolates(8);
    const RESERVE = 1_000;
    let served = 0;
    let refused = 0;
    let charged = 0;
    let local = 0;
    await allAtOnce(leases, 1_000, async (isolate, i) => {
      await isolate.renew(env, id); // what the gateway does in the background
      const cost = 400 + (i % 7) * 50;
      const leaseId = isolate.reserve(id, RESERVE, Date.now());
      let holdId: string | null = null;
      if (leaseId) local += 1;
      else {
        holdId = await reserveInObject(env, id, RESERVE, isolate);
        if (!holdId) {
          refused += 1;
          return;
        }
      }
      served += 1;
      charged += cost;
      if (leaseId) isolate.settle(id, leaseId, RESERVE, cost);
      const r = meteredRow({ accountId: id, costMicros: cost, leaseId: leaseId ?? null, holdId });
      // Every batch is delivered twice (a retry after a lost answer): nothing may be debited twice.
      await accountObject(env, id).meterBatch(id, [r]);
      await accountObject(env, id).meterBatch(id, [r]);
    });
    expect(served + refused).toBe(1_000);
    expect(local).toBeGreaterThan(0);
    // Never more reserved than the balance: at most BALANCE / RESERVE requests could be served.
    expect(served).toBeLessThanOrEqual(BALANCE / RESERVE);
    expect(await debited(id)).toBe(charged);
    expect(await balanceOf(id)).toBe(BALANCE - charged);
    expect(await balanceOf(id)).toBeGreaterThanOrEqual(0);
  });

  it("never lends more than the balance, whatever the isolates ask", async () => {
    const { id } = await newUser();
    await setBalance(id, 1_000_000);
    const stub = accountObject(env, id);
    const grants = await Promise.all(
      Array.from({ length: 40 }, () =>
        stub.meterBatch(id, [], { leaseId: crypto.randomUUID(), giveBack: 0, wanted: 1_000_000 }),
      ),
    );
    const lent = grants.reduce((t, g) => t + (g?.granted ?? 0), 0);
    expect(lent).toBeGreaterThan(0);
    expect(lent).toBeLessThanOrEqual(1_000_000);
    // What is left after the leases is all a per-request reservation can take.
    expect(await stub.reserveCredit(id, 1_000_000 - lent + 1)).toBeNull();
    expect(await stub.reserveCredit(id, 1_000_000 - lent)).not.toBeNull();
  });

  it("reclaims a lease its isolate abandoned once it expires", async () => {
    const { id } = await newUser();
    await setBalance(id, 80_000);
    const stub = accountObject(env, id);
    const lease = await stub.meterBatch(id, [], {
      leaseId: crypto.randomUUID(),
      giveBack: 0,
      wanted: 80_000,
      ttlMs: 300,
    });
    expect(lease!.granted).toBe(10_000); // an eighth of the balance
    expect(await stub.reserveCredit(id, 80_000)).toBeNull(); // the lease holds its slice
    await new Promise((resolve) => setTimeout(resolve, 400)); // the isolate died; the lease expires
    expect(await stub.reserveCredit(id, 80_000)).not.toBeNull();
  });

  it("a debit that arrives for a lease settles once and frees nothing twice", async () => {
    const { id } = await newUser();
    await setBalance(id, 80_000);
    const isolate = isolates(1)[0]!;
    await isolate.renew(env, id);
    const leaseId = isolate.reserve(id, 5_000, Date.now())!;
    expect(leaseId).toBeDefined();
    isolate.settle(id, leaseId, 5_000, 3_000);
    const r = meteredRow({ accountId: id, costMicros: 3_000, leaseId, holdId: null });
    await accountObject(env, id).meterBatch(id, [r, r]);
    expect(await debited(id)).toBe(3_000);
    expect(await balanceOf(id)).toBe(77_000);
  });
});
