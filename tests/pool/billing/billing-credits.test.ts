// Credit enforcement: the trial grant, reserve/settle, 402 when empty, no overspend under concurrency,
// the ledger and the cached balance always agreeing, and the low-balance notice once per crossing.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notices } from "#db/schema";
import type { AccountDO } from "#worker/account-object/AccountDO";
import { usageReference } from "#worker/billing/credit-desk";
import { reserveCredit } from "#worker/billing/credits";
import { LOW_BALANCE_MICROS, PLANS } from "#worker/billing/plans";
import { AppError } from "#worker/errors";
import {
  balanceOf,
  db,
  deliverOk,
  ledgerOf,
  meter,
  setBalance,
  stripeEvent,
  topupSession,
  uid,
} from "../support/billing-helpers";
import { call, expectError, newUser } from "../support/helpers";

async function reserveOrStatus(accountId: string, micros: number) {
  try {
    return await reserveCredit(env, accountId, micros);
  } catch (error) {
    if (error instanceof AppError) return error.status;
    throw error;
  }
}

describe("the ledger", () => {
  it("grants the free trial once, the first time billing sees the account", async () => {
    const user = await newUser();
    const res = await call("/api/billing", { cookie: user.cookie });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      plan: { id: string };
      balanceMicros: number;
      ledger: { kind: string }[];
    };
    expect(body.plan.id).toBe("free");
    expect(body.balanceMicros).toBe(PLANS.free.trialMicros);
    await call("/api/billing", { cookie: user.cookie });
    await reserveCredit(env, user.id, 0);
    const trials = (await ledgerOf(user.id)).filter((e) => e.kind === "trial");
    expect(trials).toHaveLength(1);
  });

  it("is append-only: an entry cannot be edited", async () => {
    const user = await newUser();
    await setBalance(user.id, 5_000_000);
    const edit = env.DB.prepare("UPDATE credit_ledger SET amount_micros = 1 WHERE account_id = ?").bind(
      user.id,
    );
    await expect(edit.run()).rejects.toThrow(/append-only/);
    expect(await balanceOf(user.id)).toBe(5_000_000);
  });

  it("GET /api/billing needs a session", async () => {
    await expectError(await call("/api/billing"), 401);
  });
});

describe("reserve and settle", () => {
  it("charges the metered cost, releases the hold, and charges a usage once", async () => {
    const user = await newUser();
    await setBalance(user.id, 1_000_000);
    const hold = await reserveCredit(env, user.id, 300_000);
    expect(hold?.amountMicros).toBe(300_000);
    await meter(hold, 120_000, "usage-a");
    await meter(hold, 120_000, "usage-a"); // a retried settle
    expect(await balanceOf(user.id)).toBe(880_000);
    // The hold is released: everything left can be reserved.
    expect(await reserveOrStatus(user.id, 880_000)).toMatchObject({ amountMicros: 880_000 });
    // One entry for the account's usage of this UTC hour, charged once.
    const usage = (await ledgerOf(user.id)).filter((e) => e.kind === "usage");
    expect(usage.map((e) => [e.amountMicros, e.reference])).toEqual([
      [-120_000, usageReference(usage[0]!.createdAt.getTime())],
    ]);
  });

  it("a stream cut short is settled at what was metered, even zero", async () => {
    const user = await newUser();
    await setBalance(user.id, 1_000_000);
    const hold = await reserveCredit(env, user.id, 900_000);
    await meter(hold, 0, "usage-cut");
    expect(await balanceOf(user.id)).toBe(1_000_000);
    // The hold is gone: the full balance can be reserved again.
    expect(await reserveCredit(env, user.id, 1_000_000)).not.toBeNull();
  });

  it("refuses with 402 insufficient_credit when the balance is empty, and holds nothing", async () => {
    const user = await newUser();
    await setBalance(user.id, 0);
    const error = await reserveCredit(env, user.id, 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(402);
    expect((error as AppError).options.code).toBe("insufficient_credit");
    expect((error as AppError).toBody().error.type).toBe("insufficient_quota");
    expect(await balanceOf(user.id)).toBe(0);
  });

  it("refuses a reservation larger than what is left after other holds", async () => {
    const user = await newUser();
    await setBalance(user.id, 1_000_000);
    await reserveCredit(env, user.id, 700_000);
    expect(await reserveOrStatus(user.id, 400_000)).toBe(402);
    expect(await reserveOrStatus(user.id, 300_000)).toMatchObject({ amountMicros: 300_000 });
  });

  it("expired holds (a request that never settled) stop blocking credit", async () => {
    const user = await newUser();
    await setBalance(user.id, 1_000_000);
    await reserveCredit(env, user.id, 1_000_000);
    expect(await reserveOrStatus(user.id, 1)).toBe(402);
    // Age the hold past its lifetime, as if its request's isolate had died half an hour ago.
    await runInDurableObject(env.ACCOUNT.getByName(user.id), (instance: AccountDO) => {
      const desk = (instance as unknown as { creditDesk: { holds: Map<string, { expiresAt: number }> } })
        .creditDesk;
      for (const hold of desk.holds.values()) hold.expiresAt = Date.now() - 1;
    });
    expect(await reserveOrStatus(user.id, 1_000_000)).toMatchObject({ amountMicros: 1_000_000 });
  });

  it("debits wait in the Durable Object and reach the D1 ledger on its alarm, once", async () => {
    const user = await newUser();
    await setBalance(user.id, 1_000_000);
    const hold = await reserveCredit(env, user.id, 100_000);
    await meter(hold, 70_000, "usage-buffered");
    await meter(hold, 70_000, "usage-buffered");
    // Still in the object, not yet in D1: the debit already counts against what can be reserved.
    expect((await ledgerOf(user.id)).filter((e) => e.kind === "usage")).toHaveLength(0);
    expect(await reserveOrStatus(user.id, 930_001)).toBe(402);
    const stub = env.ACCOUNT.getByName(user.id);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const usage = (await ledgerOf(user.id)).filter((e) => e.kind === "usage");
    expect(usage.map((e) => e.amountMicros)).toEqual([-70_000]);
    // Buffered or written, the debit counts: only what is left can be reserved.
    expect(await reserveOrStatus(user.id, 930_001)).toBe(402);
    expect(await balanceOf(user.id)).toBe(930_000);
  });

  it("a payment reaches a balance the Durable Object has cached", async () => {
    const user = await newUser();
    await setBalance(user.id, 0);
    expect(await reserveOrStatus(user.id, 1)).toBe(402);
    await deliverOk(stripeEvent({ type: "checkout.session.completed", object: topupSession(user.id, 500) }));
    expect(await reserveOrStatus(user.id, 5_000_000)).toMatchObject({ amountMicros: 5_000_000 });
  });

  it("100 concurrent requests against a balance covering 10: exactly 10 pass and the ledger balances", async () => {
    const user = await newUser();
    const each = 50_000;
    await setBalance(user.id, 10 * each);
    const results = await Promise.all(Array.from({ length: 100 }, () => reserveOrStatus(user.id, each)));
    const holds = results.filter((r) => typeof r === "object");
    expect(holds).toHaveLength(10);
    expect(results.filter((r) => r === 402)).toHaveLength(90);
    // Metered cost below the estimate for some, exactly the estimate for others.
    await Promise.all(holds.map((hold, i) => meter(hold, i % 2 ? each : each - 10_000, uid("usage"))));
    const balance = await balanceOf(user.id);
    expect(balance).toBe(5 * 10_000);
    expect(balance).toBeGreaterThanOrEqual(0);
    // The ten debits are summed into the hour's entry (two if the test crossed an hour), never one per request.
    const usage = (await ledgerOf(user.id)).filter((e) => e.kind === "usage");
    expect(usage.length).toBeLessThanOrEqual(2);
    expect(usage.reduce((sum, e) => sum + e.amountMicros, 0)).toBe(-(5 * each + 5 * (each - 10_000)));
  });

  it("a metered cost above the reservation overspends by at most that excess, then 402", async () => {
    const user = await newUser();
    await setBalance(user.id, 100_000);
    const hold = await reserveCredit(env, user.id, 100_000);
    await meter(hold, 130_000, uid("usage"));
    expect(await balanceOf(user.id)).toBe(-30_000);
    expect(await reserveOrStatus(user.id, 0)).toBe(402);
  });
});

describe("the low-balance notice", () => {
  async function lowBalanceNotices(accountId: string) {
    return db()
      .select()
      .from(notices)
      .where(and(eq(notices.accountId, accountId), eq(notices.kind, "low_balance")));
  }

  it("is not sent to an account that switched technical notices off", async () => {
    const user = await newUser();
    const res = await call("/api/settings/privacy", {
      cookie: user.cookie,
      method: "PUT",
      body: { notices: false },
    });
    expect(res.status).toBe(200);
    await setBalance(user.id, LOW_BALANCE_MICROS + 10_000);
    const hold = await reserveCredit(env, user.id, 20_000);
    await meter(hold, 20_000, uid("u"));
    await balanceOf(user.id);
    expect(await lowBalanceNotices(user.id)).toHaveLength(0);
  });

  it("is sent once per crossing below the threshold and re-armed by a top-up", async () => {
    const user = await newUser();
    await setBalance(user.id, LOW_BALANCE_MICROS + 100_000);
    const spend = async (micros: number) => {
      await meter(await reserveCredit(env, user.id, micros), micros, uid("u"));
      await balanceOf(user.id); // flushes: the crossing is noticed when the debit reaches the ledger
    };
    await spend(50_000);
    expect(await lowBalanceNotices(user.id)).toHaveLength(0);
    await spend(100_000); // crosses below
    await spend(10_000); // still below: no second notice
    const sent = await lowBalanceNotices(user.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe(user.email);
    expect(sent[0]!.text).toContain("$0.45");

    // A paid top-up lifts the balance back above the threshold; the next crossing notifies again.
    await deliverOk(stripeEvent({ type: "checkout.session.completed", object: topupSession(user.id, 500) }));
    expect(await balanceOf(user.id)).toBe(5_440_000);
    await spend(5_000_000);
    expect(await lowBalanceNotices(user.id)).toHaveLength(2);
  });
});
