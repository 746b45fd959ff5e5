// The account's Durable Object as a host: one alarm, set to the earliest wake any hosted capability asks
// for, and kept for what still waits when another capability's work goes away (a canceled deletion).
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { startDeletion } from "#worker/privacy/deletion/start";
import { recordUsage } from "#worker/usage/record";
import { newUser, ORIGIN } from "../support/helpers";
import { usageRow } from "../support/request-log";

/** One request's usage, metered as the proxy meters it (recordUsage → the object's meterBatch). */
const meterOne = (accountId: string) => recordUsage(env, usageRow(accountId, null, { costMicros: 0 }));

async function usageInD1(accountId: string): Promise<number> {
  // Flushed rows are summed into D1's hourly aggregates (the rows themselves join the object's request log).
  const r = await env.DB.prepare(
    "SELECT coalesce(sum(requests), 0) AS n FROM usage_hourly WHERE account_id = ?",
  )
    .bind(accountId)
    .first<{ n: number }>();
  return r!.n;
}

/** A deletion with a day's grace period, started the way the object starts one. */
async function deletionInGrace(accountId: string): Promise<{ id: string; executeAfter: number }> {
  const stub = env.ACCOUNT.getByName(accountId);
  const graceEnv = { ...env, DELETION_GRACE_HOURS: "24" };
  const view = await runInDurableObject(stub, (_i, ctx) =>
    startDeletion(ctx, graceEnv, { accountId, origin: ORIGIN, actor: "subject" }),
  );
  const executeAfter = await runInDurableObject(
    stub,
    async (_i, ctx) => (await ctx.storage.get<{ executeAfter: number }>("privacy:deletion"))!.executeAfter,
  );
  return { id: view.id, executeAfter };
}

const alarmOf = (accountId: string) =>
  runInDurableObject(env.ACCOUNT.getByName(accountId), (_i, ctx) => ctx.storage.getAlarm());

describe("the account object's one alarm", () => {
  it("fires for the earliest wake: buffered usage before a deletion's end of grace, then the deletion", async () => {
    const user = await newUser();
    const stub = env.ACCOUNT.getByName(user.id);
    const { executeAfter } = await deletionInGrace(user.id);
    // Within the grace period the account still accepts usage.
    await meterOne(user.id);
    const armed = await alarmOf(user.id);
    expect(armed).not.toBeNull();
    expect(armed!).toBeLessThan(executeAfter);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await usageInD1(user.id)).toBe(1);
    // Nothing buffered any more: the alarm now waits for the deletion.
    expect(await alarmOf(user.id)).toBe(executeAfter);
  });

  it("a canceled deletion leaves buffered usage with its alarm, and the alarm moves it to D1", async () => {
    const user = await newUser();
    const stub = env.ACCOUNT.getByName(user.id);
    const { id } = await deletionInGrace(user.id);
    await meterOne(user.id);
    await stub.cancelDeletion({ requestId: id, actor: "subject" });
    expect(await alarmOf(user.id)).not.toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await usageInD1(user.id)).toBe(1);
    // Nothing else waits: the one alarm left is the request log's, sealing the row once past its window (ADR 090).
    expect(await alarmOf(user.id)).toBeGreaterThanOrEqual(Date.now() + 24 * 3_600_000);
  });
});
