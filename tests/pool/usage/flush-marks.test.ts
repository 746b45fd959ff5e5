// The account object's flushes to D1 are numbered and applied above a per-account mark (ADR 090): D1 keeps no
// row per flush (the usage and credit streams add no row once the hour's aggregate and ledger entry exist), a
// flush saved by the release before the numbers is applied once, and an erased account's flush writes nothing.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AccountDO } from "#worker/account-object/AccountDO";
import { AccountHost } from "#worker/account-object/host";
import { accountObject } from "#worker/account-object/stub";
import { flushCredits, reserveCredit } from "#worker/billing/credits";
import { addToHourly } from "#worker/usage/hourly";
import { balanceOf, meter, setBalance, uid } from "../support/billing-helpers";
import { newKeyUser } from "../support/helpers";
import { requestLogHeld, usageRow } from "../support/request-log";

/** Rows in every D1 table (the migrations' own bookkeeping aside). */
async function d1Rows(): Promise<Record<string, number>> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  const out: Record<string, number> = {};
  for (const { name } of results) {
    const row = await env.DB.prepare(`SELECT count(*) AS n FROM "${name}"`).first<{ n: number }>();
    out[name] = row?.n ?? 0;
  }
  return out;
}

async function hourlySum(accountId: string): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT coalesce(sum(requests), 0) AS n FROM usage_hourly WHERE account_id = ?",
  )
    .bind(accountId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("numbered flushes", () => {
  it("keep no D1 row per flush: more flushes of usage and credit in the hour add no row anywhere", async () => {
    const user = await newKeyUser();
    await setBalance(user.id, 1_000_000);
    // One metered request (its usage row and its debit), then both buffers flushed.
    const flushBoth = async () => {
      const hold = await reserveCredit(env, user.id, 100);
      await meter(hold, 100, uid("usage"));
      await accountObject(env, user.id).flushUsage();
      await flushCredits(env, user.id);
    };
    await flushBoth(); // the hour's aggregate row and ledger entry
    const before = await d1Rows();
    for (let i = 0; i < 5; i++) await flushBoth();
    const after = await d1Rows();
    // A test crossing the hour adds that hour's two rows; otherwise nothing.
    const grown = Object.keys(after).filter((t) => after[t] !== before[t]);
    expect(grown.filter((t) => t !== "usage_hourly" && t !== "credit_ledger")).toEqual([]);
    expect(await hourlySum(user.id)).toBe(6);
    const mark = await env.DB.prepare(
      "SELECT usage_flushed_seq AS usage, credit_flushed_seq AS credit FROM accounts WHERE id = ?",
    )
      .bind(user.id)
      .first<{ usage: number; credit: number }>();
    expect(mark!.usage).toBeGreaterThan(0);
    expect(mark!.credit).toBeGreaterThan(0);
  });

  it("an erased account's flush writes nothing", async () => {
    const accountId = crypto.randomUUID();
    const rows = [usageRow(accountId, null)];
    expect(await addToHourly(env.DB, { accountId, seq: Date.now() }, rows)).toBe(false);
    expect(await hourlySum(accountId)).toBe(0);
  });

  it("a flush saved under a legacy id is applied once: skipped when its id reached the old table", async () => {
    const user = await newKeyUser();
    const saveLegacy = (applied: boolean) =>
      runInDurableObject(env.ACCOUNT.getByName(user.id), async (_i, state) => {
        const host = new AccountHost(state, env);
        const row = usageRow(user.id, user.keyId);
        await host.usage.add(row);
        const legacyId = crypto.randomUUID();
        state.storage.sql.exec(
          "INSERT INTO usage_flush_pending (id, usage_ids) VALUES (?, ?)",
          legacyId,
          JSON.stringify([row.id]),
        );
        if (applied)
          await env.DB.prepare("INSERT INTO usage_flushes (id, created_at) VALUES (?, ?)")
            .bind(legacyId, Date.now())
            .run();
        await host.usage.flush();
        await host.usage.flush(); // nothing left: a second flush adds nothing
      });
    await saveLegacy(true);
    expect(await hourlySum(user.id)).toBe(0); // applied by the old release already
    await saveLegacy(false);
    expect(await hourlySum(user.id)).toBe(1);
    expect((await requestLogHeld(user.id)).rows).toBe(2); // both rows reached the log
  });

  it("a credit flush saved under a legacy id is debited once: skipped when its id reached the old table", async () => {
    const user = await newKeyUser();
    await setBalance(user.id, 1_000_000);
    const saveLegacy = async (applied: boolean, cost: number) => {
      const hold = await reserveCredit(env, user.id, cost);
      await meter(hold, cost, uid("usage"));
      await runInDurableObject(env.ACCOUNT.getByName(user.id), async (instance: AccountDO, state) => {
        const desk = (instance as unknown as { host: { creditDesk: { flush(): Promise<void> } } }).host
          .creditDesk;
        const ids = state.storage.sql
          .exec<{ usage_id: string }>("SELECT usage_id FROM credit_debits")
          .toArray()
          .map((r) => r.usage_id);
        const legacyId = crypto.randomUUID();
        state.storage.sql.exec(
          "INSERT INTO credit_flush_pending (id, usage_ids) VALUES (?, ?)",
          legacyId,
          JSON.stringify(ids),
        );
        if (applied)
          await env.DB.prepare("INSERT INTO credit_flushes (id, created_at) VALUES (?, ?)")
            .bind(legacyId, Date.now())
            .run();
        await desk.flush();
        await desk.flush();
      });
    };
    await saveLegacy(true, 10_000);
    expect(await balanceOf(user.id)).toBe(1_000_000); // debited by the old release already
    await saveLegacy(false, 20_000);
    expect(await balanceOf(user.id)).toBe(980_000);
  });
});
