import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AccountDO } from "../../worker/account/AccountDO";
import { reserveCredit, settleCredit } from "../../worker/billing/credits";
import { startDeletion } from "../../worker/privacy/deletion/start";
import { loadDeletion } from "../../worker/privacy/deletion/state";
import { eraseOrder } from "../../worker/privacy/holders";
import type { DataHolder } from "../../worker/privacy/holders/holder";
import type { PrivacyJobs } from "../../worker/privacy/jobs/run";
import { expectConsoleError } from "./console-errors";
import { call, expectError, PASSWORD } from "./helpers";
import { settle } from "./privacy-drive";
import { seedAccount } from "./privacy-seed";

type Req = { id: string; status: string; receipt: Record<string, unknown> };

/** Every D1 table with an account_id (or the accounts table itself): none may keep a row of the account. */
async function rowsLeft(accountId: string): Promise<Record<string, number>> {
  const { results } = await env.DB.prepare(
    "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND sql LIKE '%`account_id`%'",
  ).all<{ t: string }>();
  const left: Record<string, number> = {};
  for (const { t } of results) {
    const row = await env.DB.prepare(`SELECT count(*) AS n FROM "${t}" WHERE account_id = ?`)
      .bind(accountId)
      .first<{ n: number }>();
    if (row!.n) left[t] = row!.n;
  }
  const account = await env.DB.prepare("SELECT count(*) AS n FROM accounts WHERE id = ?")
    .bind(accountId)
    .first<{ n: number }>();
  if (account!.n) left.accounts = account!.n;
  return left;
}

async function objectsLeft(accountId: string): Promise<number> {
  let n = 0;
  for (const prefix of ["content/1d/", "content/7d/", "content/30d/", "content/90d/", "exports/"]) {
    n += (await env.CONTENT.list({ prefix: `${prefix}${accountId}/` })).objects.length;
  }
  return n;
}

async function requestDeletion(cookie: string) {
  return call("/api/privacy/requests", { body: { type: "deletion", password: PASSWORD }, cookie });
}

describe("deletion", () => {
  it("erases every table and prefix of the account, keeps invoices pseudonymised, and signs a receipt", async () => {
    const user = await seedAccount({ contentObjects: 5 });
    const res = await requestDeletion(user.cookie);
    expect(res.status).toBe(202);
    const req = (await res.json()) as Req;
    // At once: keys and sessions are dead, new requests refused.
    await expectError(await call("/v1/models", { key: user.key }), 401);
    await expectError(await call("/api/account", { cookie: user.cookie }), 401);

    expect(await settle(user.id, req.id)).toBe("completed");
    expect(await rowsLeft(user.id)).toEqual({});
    expect(await objectsLeft(user.id)).toBe(0);

    const row = await env.DB.prepare("SELECT account_id, receipt FROM privacy_requests WHERE id = ?")
      .bind(req.id)
      .first<{ account_id: string | null; receipt: string }>();
    expect(row!.account_id).toBeNull();
    const receipt = JSON.parse(row!.receipt) as Record<string, unknown> & { retainedToken: string };
    const kept = await env.DB.prepare("SELECT * FROM retained_billing WHERE token = ?")
      .bind(receipt.retainedToken)
      .all<Record<string, unknown>>();
    expect(kept.results.map((r) => r.kind).sort()).toEqual(["invoice", "ledger"]);
    const keptText = JSON.stringify(kept.results);
    expect(keptText).not.toContain(user.id);
    expect(keptText).not.toContain(user.email);
    expect(kept.results.every((r) => (r.retain_until as number) > Date.now())).toBe(true);

    // The receipt verifies; a changed one does not.
    const verify = (body: unknown) => call("/api/privacy/receipts/verify", { body: { receipt: body } });
    expect(await (await verify(receipt)).json()).toMatchObject({ valid: true, format: "jws" });
    expect(await (await verify({ ...receipt, retained: [] })).json()).toMatchObject({ valid: false });
    expect(await (await verify({ ...receipt, signature: "00" })).json()).toMatchObject({ valid: false });

    // The same email may sign up again, as a new, empty account.
    const again = await call("/api/auth/signup", { body: { email: user.email, password: PASSWORD } });
    expect(again.status).toBe(201);
  });

  it("drops charges and usage still buffered in the account's object, so its alarm cannot write them back", async () => {
    const user = await seedAccount();
    const hold = await reserveCredit(env, user.id, 1_000);
    await settleCredit(env, hold, 700, crypto.randomUUID()); // buffered in the object, not yet in D1
    const res = await requestDeletion(user.cookie);
    const req = (await res.json()) as Req;
    expect(await settle(user.id, req.id)).toBe("completed");
    const stub = env.ACCOUNT.getByName(user.id);
    await runDurableObjectAlarm(stub); // a late alarm finds nothing to flush
    await stub.flushCredits();
    expect(await rowsLeft(user.id)).toEqual({});
    const buffered = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql
        .exec<{ n: number }>(
          "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'credit_debits'",
        )
        .one().n
        ? state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM credit_debits").one().n
        : 0,
    );
    expect(buffered).toBe(0);
  });

  it("runs once for two concurrent requests, returning the same request", async () => {
    const user = await seedAccount();
    const [a, b] = await Promise.all([requestDeletion(user.cookie), requestDeletion(user.cookie)]);
    const ids = new Set<string>();
    for (const r of [a, b]) if (r.status === 202) ids.add(((await r.json()) as Req).id);
    // The second may already find the session dead (401): either way there is one request.
    expect(ids.size).toBe(1);
    const count = await env.DB.prepare(
      "SELECT count(*) AS n FROM privacy_requests WHERE type = 'deletion' AND subject = (SELECT subject FROM privacy_requests WHERE id = ?)",
    )
      .bind([...ids][0])
      .first<{ n: number }>();
    expect(count!.n).toBe(1);
    expect(await settle(user.id, [...ids][0]!)).toBe("completed");
  });

  it("resumes after a crash in any step and finishes", async () => {
    // Every holder's crash is logged once by the job, then retried.
    expectConsoleError(/^privacy job step failed: Error$/);
    for (let failAt = 0; failAt < eraseOrder.length; failAt++) {
      // One signup per holder: keep this file under the per-address signup throttle (20/hour).
      await env.DB.prepare("DELETE FROM rate_limits").run();
      const user = await seedAccount();
      const stub = env.ACCOUNT.getByName(user.id);
      const requestId = await runInDurableObject(stub, async (_i, ctx) => {
        const view = await startDeletion(ctx, env, {
          accountId: user.id,
          origin: "http://localhost",
          actor: "subject",
        });
        return view.id;
      });
      let thrown = false;
      const faulty: DataHolder[] = eraseOrder.map((h, i) =>
        i === failAt
          ? {
              ...h,
              erase: async (...args) => {
                // Do part of the work, then crash: the retry must cope with a half-done step.
                await h.erase(...args);
                thrown = true;
                throw new Error("crash");
              },
            }
          : h,
      );
      // One alarm of the object with the faulty holders in place, then the real ones again.
      await runInDurableObject(stub, async (instance: AccountDO) => {
        const jobs = (instance as unknown as { privacy: PrivacyJobs }).privacy;
        const real = jobs.holders;
        jobs.holders = { erase: faulty, export: [] };
        try {
          await instance.alarm();
        } finally {
          jobs.holders = real;
        }
      });
      expect(thrown, eraseOrder[failAt]!.name).toBe(true);
      const state = await runInDurableObject(stub, (_i, ctx) => loadDeletion(ctx.storage));
      expect(state!.done).toBe(false);
      expect(await runInDurableObject(stub, (_i, ctx) => ctx.storage.getAlarm())).not.toBeNull();
      expect(await settle(user.id, requestId)).toBe("completed");
      expect(await rowsLeft(user.id), eraseOrder[failAt]!.name).toEqual({});
      expect(await objectsLeft(user.id)).toBe(0);
    }
    // One seeded account per holder (17 and counting): more than the default 30 s on a busy machine.
  }, 180_000);

  it("refuses a second request after deletion began, and the alarm can fire any number of times", async () => {
    const user = await seedAccount();
    const req = (await (await requestDeletion(user.cookie)).json()) as Req;
    await settle(user.id, req.id);
    await runDurableObjectAlarm(env.ACCOUNT.getByName(user.id));
    expect(await rowsLeft(user.id)).toEqual({});
  });
});
