import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { AccountHost, runPrivacyJobs } from "#worker/account-object/host";
import { reserveCredit } from "#worker/billing/credits";
import { startDeletion } from "#worker/privacy/deletion/start";
import { DELETION_STATE, type DeletionState, loadDeletion } from "#worker/privacy/deletion/state";
import { eraseOrder } from "#worker/privacy/holders";
import type { DataHolder } from "#worker/privacy/holders/holder";
import { meter } from "../support/billing-helpers";
import { expectConsoleError } from "../support/console-errors";
import { d1Failing, envWith, fault, storageFailingPut } from "../support/faults";
import { call, expectError, PASSWORD } from "../support/helpers";
import { settle } from "../support/privacy-drive";
import { seedAccount } from "../support/privacy-seed";

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
    await meter(hold, 700, crypto.randomUUID()); // buffered in the object, not yet in D1
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

  it("refuses a second request after deletion began, and the alarm can fire any number of times", async () => {
    const user = await seedAccount();
    const req = (await (await requestDeletion(user.cookie)).json()) as Req;
    await settle(user.id, req.id);
    await runDurableObjectAlarm(env.ACCOUNT.getByName(user.id));
    expect(await rowsLeft(user.id)).toEqual({});
  });
});

/** Every step of the machine, by name, then the finish (receipt, request record, audit, notice). */
const STEP_NAMES = new AccountHost({} as DurableObjectState, env)
  .deletionSteps(eraseOrder)
  .map((step) => step.name);

type Final = {
  status: string;
  rows: Record<string, number>;
  objects: number;
  erased: Record<string, number>;
  audits: number;
  completionNotices: number;
  dataKey: boolean;
  alarm: number | null;
};

/**
 * Starts a deletion of a freshly seeded account inside its object, with no alarm armed yet (the test runs
 * the first slice itself, so no background alarm races it).
 */
async function startedDeletion() {
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
  return { user, stub, requestId };
}

/** Runs the object's alarm until the deletion job says it is done (the request may say so earlier). */
async function driveToDone(
  stub: ReturnType<typeof env.ACCOUNT.getByName>,
  requestId: string,
  accountId: string,
) {
  await settle(accountId, requestId);
  for (let i = 0; i < 50; i++) {
    const state = await runInDurableObject(stub, (_i, ctx) => loadDeletion(ctx.storage));
    if (state?.done) return;
    await runDurableObjectAlarm(stub);
  }
  throw new Error("deletion did not finish");
}

/**
 * What a finished deletion leaves: compared between an uninterrupted run and every interrupted one. The
 * receipt's per-step counts are compared apart (see sameFinalState).
 */
async function finalState(user: { id: string; email: string }, requestId: string): Promise<Final> {
  const stub = env.ACCOUNT.getByName(user.id);
  const row = await env.DB.prepare("SELECT status, receipt FROM privacy_requests WHERE id = ?")
    .bind(requestId)
    .first<{ status: string; receipt: string }>();
  const receipt = JSON.parse(row!.receipt) as { erased: { holder: string; records: number }[] };
  const audits = await env.DB.prepare(
    "SELECT count(*) AS n FROM privacy_audit WHERE request_id = ? AND action = 'deletion.completed'",
  )
    .bind(requestId)
    .first<{ n: number }>();
  const notices = await env.DB.prepare(
    `SELECT count(*) AS n FROM notices WHERE "to" = ? AND kind = 'deletion_completed'`,
  )
    .bind(user.email)
    .first<{ n: number }>();
  const { dataKey, alarm } = await runInDurableObject(stub, async (_i, ctx) => ({
    dataKey: (await ctx.storage.get("content:dataKey")) !== undefined,
    alarm: await ctx.storage.getAlarm(),
  }));
  return {
    status: row!.status,
    rows: await rowsLeft(user.id),
    objects: await objectsLeft(user.id),
    erased: Object.fromEntries(receipt.erased.map((e) => [e.holder, e.records])),
    audits: audits!.n,
    completionNotices: notices!.n,
    dataKey,
    alarm,
  };
}

/**
 * The same data state as the uninterrupted run, and the same receipt counts except for the interrupted
 * step: records its first run erased before the restart are gone, but that run's count was not saved, so
 * the receipt may under-count that one step (never over-count, never another step). docs/faults.md.
 */
function expectSameFinalState(actual: Final, reference: Final, interrupted: string) {
  const { erased, ...state } = actual;
  const { erased: expected, ...referenceState } = reference;
  expect(state).toEqual(referenceState);
  for (const [step, records] of Object.entries(expected)) {
    if (step === interrupted) expect(erased[step], step).toBeLessThanOrEqual(records);
    else expect(erased[step], step).toBe(records);
  }
}

describe("a deletion interrupted at any step resumes to the same final state", () => {
  let reference: Final;

  beforeAll(async () => {
    const { user, stub, requestId } = await startedDeletion();
    await runInDurableObject(stub, (_i, ctx) => runPrivacyJobs(ctx, env, { erase: eraseOrder, export: [] }));
    await driveToDone(stub, requestId, user.id);
    reference = await finalState(user, requestId);
    expect(reference).toMatchObject({
      status: "completed",
      rows: {},
      objects: 0,
      audits: 1,
      completionNotices: 1,
      dataKey: false,
      alarm: null,
    });
  });

  // The object restarts right after a step did its work, before its progress was saved: the step runs
  // again on resume and must find its work done (or finish it), counting nothing twice.
  it.each(STEP_NAMES.map((name, i) => [name, i] as const))(
    "the object restarts after step %s did its work",
    async (_name, index) => {
      // The injected failure is logged by the job (by its name alone), then retried.
      expectConsoleError(/privacy job step failed/);
      const { user, stub, requestId } = await startedDeletion();
      const restart = fault(/./);
      await runInDurableObject(stub, (_i, ctx) =>
        runPrivacyJobs(
          storageFailingPut(
            ctx,
            (key, value) => key === DELETION_STATE && (value as DeletionState).step === index + 1,
            restart,
          ),
          env,
          { erase: eraseOrder, export: [] },
        ),
      );
      expect(restart.hits).toBe(1);
      const state = await runInDurableObject(stub, (_i, ctx) => loadDeletion(ctx.storage));
      expect(state!.done).toBe(false);
      expect(state!.step).toBe(index);
      // The alarm is armed again: nothing waits for a person to notice.
      expect(await runInDurableObject(stub, (_i, ctx) => ctx.storage.getAlarm())).not.toBeNull();
      await driveToDone(stub, requestId, user.id);
      expectSameFinalState(await finalState(user, requestId), reference, STEP_NAMES[index]!);
    },
  );

  // A holder fails half-way through its own work (part erased, then an error): the retry finishes it.
  it.each(eraseOrder.map((h, i) => [h.name, i] as const))(
    "holder %s crashes half-way through its erasure",
    async (name, failAt) => {
      // The injected failure is logged by the job (by its name alone), then retried.
      expectConsoleError(/privacy job step failed/);
      const { user, stub, requestId } = await startedDeletion();
      let thrown = false;
      const faulty: DataHolder[] = eraseOrder.map((h, i) =>
        i === failAt
          ? {
              ...h,
              erase: async (...args) => {
                await h.erase(...args);
                thrown = true;
                throw new Error("crash");
              },
            }
          : h,
      );
      await runInDurableObject(stub, (_i, ctx) => runPrivacyJobs(ctx, env, { erase: faulty, export: [] }));
      expect(thrown).toBe(true);
      expect((await runInDurableObject(stub, (_i, ctx) => loadDeletion(ctx.storage)))!.done).toBe(false);
      await driveToDone(stub, requestId, user.id);
      expectSameFinalState(await finalState(user, requestId), reference, name);
    },
  );

  // The finish fails after the request was marked completed but before its audit entry and notice.
  it("the finish fails half-way (D1 down after the request was marked completed)", async () => {
    // The injected failure is logged by the job (by its name alone), then retried.
    expectConsoleError(/privacy job step failed/);
    const { user, stub, requestId } = await startedDeletion();
    const d1Down = fault(/insert into "privacy_audit"/i);
    const faultyEnv = envWith({ DB: d1Failing(env.DB, d1Down) });
    // Every step, then the finish with D1 failing on the audit entry (a slice may end before the finish).
    for (let i = 0; i < 20 && d1Down.hits === 0; i++) {
      await runInDurableObject(stub, (_i, ctx) =>
        runPrivacyJobs(ctx, faultyEnv, { erase: eraseOrder, export: [] }),
      );
    }
    expect(d1Down.hits).toBe(1);
    const state = await runInDurableObject(stub, (_i, ctx) => loadDeletion(ctx.storage));
    expect(state!.done).toBe(false);
    expect(state!.step).toBe(STEP_NAMES.length);
    await driveToDone(stub, requestId, user.id);
    expectSameFinalState(await finalState(user, requestId), reference, "finish");
  });
});
