// The credit ledger keeps usage as one entry per account per UTC hour (ADR 040): many requests grow one entry
// in place, a flush whose answer was lost (or whose object restarted before forgetting it) applies once, only a
// usage entry's amount may change, and the billing page reads "Usage, <hour>" lines beside payments.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AccountDO } from "#worker/account-object/AccountDO";
import { accountObject } from "#worker/account-object/stub";
import { usageReference } from "#worker/billing/credit-desk";
import { flushCredits, reserveCredit } from "#worker/billing/credits";
import { ledgerStatement } from "#worker/billing/statement";
import { HOUR_MS } from "#worker/time";
import * as billing from "../../../app/routes/dashboard/billing";
import { balanceOf, db, ledgerOf, meter, setBalance, uid } from "../support/billing-helpers";
import { newUser } from "../support/helpers";
import { args, page } from "../support/route-calls";

type Desk = { env: Env; flush(): Promise<void> };
const deskOf = (instance: AccountDO) =>
  (instance as unknown as { host: { creditDesk: Desk } }).host.creditDesk;

/** Settles `costs` as separate requests (each its own usage id), buffered in the object. */
async function charge(accountId: string, costs: number[]): Promise<void> {
  for (const cost of costs) {
    const hold = await reserveCredit(env, accountId, cost);
    await meter(hold, cost, uid("usage"));
  }
}

/** The object's D1 binding with `batch` committing and then failing `times` times (a lost answer). */
function losingAnswers(times: { lost: number }, failCheck = false): D1Database {
  return new Proxy(env.DB, {
    get(target, p) {
      if (p === "batch")
        return async (statements: D1PreparedStatement[]) => {
          const results = await target.batch(statements);
          if (times.lost-- > 0) throw new Error("network lost the answer (injected)");
          return results;
        };
      if (p === "prepare" && failCheck)
        return (query: string) => {
          if (query.includes("credit_flushed_seq AS seq FROM accounts"))
            throw new Error("D1 unreachable (injected)");
          return target.prepare(query);
        };
      const value = Reflect.get(target, p);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("the hourly usage ledger", () => {
  it("sums many requests into one entry for the hour, exactly", async () => {
    const user = await newUser();
    await setBalance(user.id, 1_000_000);
    const costs = Array.from({ length: 30 }, (_, i) => 1_000 + i * 10);
    await charge(user.id, costs);
    await flushCredits(env, user.id);
    await charge(user.id, [5_000, 7_000]); // a later flush grows the same entry
    await flushCredits(env, user.id);
    const usage = (await ledgerOf(user.id)).filter((e) => e.kind === "usage");
    const total = costs.reduce((a, b) => a + b, 0) + 12_000;
    expect(usage.length).toBeLessThanOrEqual(2); // two only if the test crossed an hour
    expect(usage.reduce((sum, e) => sum + e.amountMicros, 0)).toBe(-total);
    for (const e of usage) {
      expect(e.createdAt.getTime() % HOUR_MS).toBe(0);
      expect(e.reference).toBe(usageReference(e.createdAt.getTime()));
      expect(e.reason).toMatch(/^Usage, \d{4}-\d\d-\d\d \d\d:00 UTC$/);
    }
    expect(await balanceOf(user.id)).toBe(1_000_000 - total);
  });

  it("a flush whose answer was lost is applied once", async () => {
    const user = await newUser();
    await setBalance(user.id, 1_000_000);
    await charge(user.id, [10_000, 20_000]);
    const lost = { lost: 1 };
    await runInDurableObject(accountObject(env, user.id), async (instance: AccountDO) => {
      const desk = deskOf(instance);
      const real = desk.env;
      desk.env = { ...real, DB: losingAnswers(lost) };
      try {
        await desk.flush();
      } finally {
        desk.env = real;
      }
    });
    expect(lost.lost).toBe(0);
    await flushCredits(env, user.id);
    expect(await balanceOf(user.id)).toBe(970_000);
  });

  it("an object that could not tell whether its flush landed sends the same flush again, applied once", async () => {
    const user = await newUser();
    await setBalance(user.id, 1_000_000);
    await charge(user.id, [40_000]);
    await runInDurableObject(accountObject(env, user.id), async (instance: AccountDO) => {
      const desk = deskOf(instance);
      const real = desk.env;
      desk.env = { ...real, DB: losingAnswers({ lost: 1 }, true) };
      await expect(desk.flush()).rejects.toThrow();
      desk.env = real;
    });
    await charge(user.id, [1_000]); // arrives meanwhile: it goes in a later flush
    await flushCredits(env, user.id);
    await flushCredits(env, user.id);
    expect(await balanceOf(user.id)).toBe(959_000);
    // The account's mark moved; no row per flush was kept for it (ADR 090).
    const mark = await env.DB.prepare("SELECT credit_flushed_seq AS seq FROM accounts WHERE id = ?")
      .bind(user.id)
      .first<{ seq: number }>();
    expect(mark?.seq).toBeGreaterThan(0);
    const flushes = await env.DB.prepare("SELECT count(*) AS n FROM credit_flushes").first<{ n: number }>();
    expect(flushes?.n).toBe(0);
  });

  it("only a usage entry's amount may change, and the running balance follows it", async () => {
    const user = await newUser();
    await setBalance(user.id, 1_000_000);
    await charge(user.id, [10_000]);
    await flushCredits(env, user.id);
    const [entry] = (await ledgerOf(user.id)).filter((e) => e.kind === "usage");
    await env.DB.prepare("UPDATE credit_ledger SET amount_micros = amount_micros - 5 WHERE id = ?")
      .bind(entry!.id)
      .run();
    expect(await balanceOf(user.id)).toBe(1_000_000 - 10_005); // balanceOf checks cache = ledger sum
    for (const change of ["reference = 'x'", "reason = 'x'", "created_at = 1", "kind = 'grant'"]) {
      await expect(
        env.DB.prepare(`UPDATE credit_ledger SET ${change} WHERE id = ?`).bind(entry!.id).run(),
      ).rejects.toThrow(/append-only/);
    }
  });

  it("the billing page lists 'Usage, <hour>' lines beside payments and credits, newest first", async () => {
    const user = await newUser();
    await setBalance(user.id, 1_000_000);
    await charge(user.id, [2_000, 3_000]);
    await flushCredits(env, user.id);
    const lines = await ledgerStatement(db(), user.id, 20);
    const usage = lines.filter((l) => l.kind === "usage");
    expect(usage.reduce((sum, l) => sum + l.amountMicros, 0)).toBe(-5_000);
    expect(usage[0]!.reason).toMatch(/^Usage, \d{4}-\d\d-\d\d \d\d:00–\d\d:00 UTC$/);
    expect(lines.some((l) => l.kind === "adjustment" || l.kind === "trial")).toBe(true);
    // Newest first: the hour of usage runs to its end, after the credit given earlier in the same hour.
    expect(lines[0]!.kind).toBe("usage");
    // The page's loader, called as React Router calls it, reads the same statement.
    const data = await billing.loader(args(page("/dashboard/billing", user.cookie)));
    const lines2 = data.statement.filter((l) => l.kind === "usage");
    expect(lines2[0]).toMatchObject({ reason: usage[0]!.reason, requests: null });
  });
});
