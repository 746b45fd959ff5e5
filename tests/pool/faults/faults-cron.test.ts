// A cron run that stops half-way — R2 failing in the middle of the retention sweep, an account object
// failing in the middle of the deletion watchdog — leaves the rest to the next run, which finishes it:
// nothing due is missed, nothing is deleted twice, nothing not yet due is touched.
import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { contentObjectKey, type RetentionDays } from "#worker/content/layout";
import worker from "#worker/index";
import { startDeletion } from "#worker/privacy/deletion/start";
import { DAY_MS } from "#worker/time";
import { expectConsoleError } from "../support/console-errors";
import { envWith, fault, namespaceFailing, r2Failing } from "../support/faults";
import { newUser } from "../support/helpers";
import { settle } from "../support/privacy-drive";

async function cron(testEnv: Env, at: number): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: at }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

/** An R2 bucket that records every key deleted through it (to prove nothing is deleted twice). */
function countingDeletes(bucket: R2Bucket, deleted: string[]): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      if (prop === "delete")
        return async (keys: string | string[]) => {
          await target.delete(keys);
          deleted.push(...(Array.isArray(keys) ? keys : [keys]));
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function seedContent(accountId: string, days: RetentionDays, n: number): Promise<string[]> {
  const keys = Array.from({ length: n }, () =>
    contentObjectKey(days, accountId, new Date(), crypto.randomUUID()),
  );
  await Promise.all(
    keys.map((key) => env.CONTENT.put(key, "sealed", { customMetadata: { acct: accountId } })),
  );
  return keys;
}

const exists = async (key: string) => (await env.CONTENT.head(key)) !== null;

describe("the retention sweep stops half-way", () => {
  it("R2 fails between classes: the next run deletes the rest, each object once, nothing early", async () => {
    expectConsoleError(/cron job failed.*retention-sweep/); // the provoked R2 failure stops the sweep
    const user = await newUser();
    const oneDay = await seedContent(user.id, 1, 4);
    const sevenDays = await seedContent(user.id, 7, 4);
    const thirtyDays = await seedContent(user.id, 30, 3);
    // Eight days later the 1- and 7-day classes are due, the 30-day class is not.
    const at = Date.now() + 8 * DAY_MS;

    const deleted: string[] = [];
    const r2Down = fault(/^content\/7d\//);
    const failing = r2Failing(countingDeletes(env.CONTENT, deleted), "delete", r2Down);
    await cron(envWith({ CONTENT: failing }), at);
    expect(r2Down.hits).toBe(1);
    // Stopped half-way: the 1-day class went, the 7-day class is still there.
    for (const key of oneDay) expect(await exists(key)).toBe(false);
    for (const key of sevenDays) expect(await exists(key)).toBe(true);

    // The next run (R2 back) finishes.
    await cron(envWith({ CONTENT: countingDeletes(env.CONTENT, deleted) }), at + 5 * 60_000);
    for (const key of [...oneDay, ...sevenDays]) expect(await exists(key)).toBe(false);
    for (const key of thirtyDays) expect(await exists(key)).toBe(true);
    const mine = deleted.filter((k) => k.includes(user.id));
    expect(mine.sort()).toEqual([...oneDay, ...sevenDays].sort());
  });
});

describe("the deletion watchdog stops half-way", () => {
  it("an account object fails while stalled jobs are re-armed: the next run re-arms the rest; each deletion completes once", async () => {
    expectConsoleError(/cron job failed.*privacy-watchdog/); // the provoked object failure stops the watchdog
    const users = [await newUser(), await newUser(), await newUser()];
    const requests: string[] = [];
    for (const user of users) {
      // A deletion whose alarm was lost: recorded, tombstoned, never armed, and not moving for an hour.
      const id = await runInDurableObject(env.ACCOUNT.getByName(user.id), async (_i, ctx) => {
        const view = await startDeletion(ctx, env, {
          accountId: user.id,
          origin: "http://localhost",
          actor: "subject",
        });
        return view.id;
      });
      requests.push(id);
      await env.DB.prepare("UPDATE privacy_requests SET updated_at = ? WHERE id = ?")
        .bind(Date.now() - 3_600_000, id)
        .run();
    }
    const alarms = () =>
      Promise.all(
        users.map((u) =>
          runInDurableObject(env.ACCOUNT.getByName(u.id), (_i, ctx) => ctx.storage.getAlarm()),
        ),
      );
    expect((await alarms()).every((a) => a === null)).toBe(true);

    // The second object the watchdog calls fails: the run stops there.
    const objectDown = fault(/./, 1, 1);
    await cron(
      envWith({ ACCOUNT: namespaceFailing(env.ACCOUNT, "resumePrivacyJobs", objectDown) }),
      Date.now(),
    );
    expect(objectDown.hits).toBe(1);
    const statuses = async () =>
      Promise.all(
        requests.map(async (id) => {
          const row = await env.DB.prepare("SELECT status FROM privacy_requests WHERE id = ?")
            .bind(id)
            .first<{ status: string }>();
          return row!.status;
        }),
      );
    // Not all were re-armed (or already finished by their alarm): the run stopped half-way.
    const afterFirst = await Promise.all(
      users.map(async (u, i) => {
        const alarm = await runInDurableObject(env.ACCOUNT.getByName(u.id), (_i, ctx) =>
          ctx.storage.getAlarm(),
        );
        return alarm !== null || (await statuses())[i] === "completed";
      }),
    );
    expect(afterFirst.filter(Boolean).length).toBeLessThan(users.length);

    // The next run re-arms the rest; every deletion completes.
    await cron(env, Date.now());
    for (const [i, user] of users.entries()) {
      expect(await settle(user.id, requests[i]!)).toBe("completed");
    }
    for (const [i, user] of users.entries()) {
      const audits = await env.DB.prepare(
        "SELECT count(*) AS n FROM privacy_audit WHERE request_id = ? AND action = 'deletion.completed'",
      )
        .bind(requests[i])
        .first<{ n: number }>();
      expect(audits!.n).toBe(1);
      const notices = async () =>
        (await env.DB.prepare(
          `SELECT count(*) AS n FROM notices WHERE "to" = ? AND kind = 'deletion_completed'`,
        )
          .bind(user.email)
          .first<{ n: number }>())!.n;
      // The receipt goes out right after the request is marked completed.
      await expect.poll(notices).toBe(1);
      const account = await env.DB.prepare("SELECT count(*) AS n FROM accounts WHERE id = ?")
        .bind(user.id)
        .first<{ n: number }>();
      expect(account!.n).toBe(0);
    }
  });
});
