// The durable hand-off of usage (issue 27, ADR 020): a batch the account object cannot take goes to the replay
// queue, whose consumer applies it once the object answers — no row lost, none applied twice — and what the queue
// gives up on is counted on /admin without its rows.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "#worker/index";
import { recordUsage } from "#worker/usage/record";
import type { HandedOff } from "#worker/usage/replay";
import * as admin from "../../../app/routes/admin";
import { usageRowById, usageRows } from "../support/ai-helpers";
import { balanceOf, setBalance } from "../support/billing-helpers";
import { expectConsoleError } from "../support/console-errors";
import { envWith, fault, namespaceDown, namespaceFailing } from "../support/faults";
import { newUser, operatorSession } from "../support/helpers";
import { meteredRow } from "../support/isolates";
import { args, page } from "../support/route-calls";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("usage the account object could not take", () => {
  it("goes through the real queue to the Worker's consumer when the object fails every try of the batch", async () => {
    const { id } = await newUser();
    const down = fault(new RegExp(id), 3); // the batcher's three tries
    const faulty = envWith({ ACCOUNT: namespaceFailing(env.ACCOUNT, "meterBatch", down) });
    const row = meteredRow({ accountId: id, costMicros: 1_234, leaseId: null, holdId: null });
    await recordUsage(faulty, row);
    expect(down.hits).toBe(3);
    expect(await usageRowById(id, row.id, 10_000)).toMatchObject({ id: row.id, cost_micros: 1_234 });
  });

  it("the object failing for 10 s: every row applied once, the balance exact", async () => {
    const { id } = await newUser();
    await setBalance(id, 10_000_000);
    const before = await balanceOf(id);
    const upAt = Date.now() + 10_000;
    const faulty = envWith({
      ACCOUNT: namespaceDown(env.ACCOUNT, "meterBatch", (n) => n === id && Date.now() < upAt),
    });
    // What the batcher hands off goes to the real queue (whose consumer sees a healthy object) and is also replayed
    // here through the Worker's queue handler against the failing object: every batch is delivered twice.
    const handedOff: HandedOff[] = [];
    const queue = new Proxy(env.USAGE_QUEUE, {
      get(target, prop) {
        if (prop === "send")
          return (body: HandedOff, options?: QueueSendOptions) => {
            handedOff.push(body);
            return target.send(body, options);
          };
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const outage = envWith({ ACCOUNT: faulty.ACCOUNT, USAGE_QUEUE: queue });
    const rows = Array.from({ length: 200 }, (_, i) =>
      meteredRow({ accountId: id, costMicros: 1_000 + i, leaseId: null, holdId: null }),
    );
    // Each as if reserved in the object (a hold): its debit is settled with its row.
    await Promise.all(
      rows.map((row) =>
        recordUsage(outage, row, { id: crypto.randomUUID(), accountId: id, amountMicros: 5_000 }),
      ),
    );
    expect(handedOff.flatMap((b) => b.rows)).toHaveLength(200);

    // The queue redelivers what was retried, once a second here, until the object is back.
    let pending = handedOff.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body }));
    let retriedWhileDown = 0;
    while (pending.length) {
      const batch = createMessageBatch<HandedOff>("botmara-usage", pending);
      const ctx = createExecutionContext();
      await worker.queue(batch, outage);
      const result = await getQueueResult(batch, ctx);
      const retried = new Set(result.retryMessages.map((m: { msgId: string }) => m.msgId));
      if (Date.now() < upAt) retriedWhileDown += retried.size;
      pending = pending.filter((m) => retried.has(m.id)).map((m) => ({ ...m, attempts: m.attempts + 1 }));
      if (pending.length) await sleep(1_000);
    }
    expect(retriedWhileDown).toBeGreaterThan(0);
    const metered = await usageRows(id, 200, 10_000);
    expect(metered).toHaveLength(200);
    const cost = rows.reduce((t, r) => t + r.costMicros, 0);
    expect(metered.reduce((t, r) => t + r.cost_micros, 0)).toBe(cost);
    expect(await balanceOf(id)).toBe(before - cost);
  }, 60_000);

  it("a dead-lettered batch is counted on /admin, without its rows", async () => {
    expectConsoleError(/usage batches dead-lettered/);
    const { id } = await newUser();
    const rows = [meteredRow({ accountId: id, costMicros: 4_321, leaseId: null, holdId: null })];
    const messageId = `dead-${crypto.randomUUID()}`;
    const batch = createMessageBatch<HandedOff>("botmara-usage-dead", [
      { id: messageId, timestamp: new Date(), attempts: 21, body: { accountId: id, rows } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).ackAll).toBe(true);
    const operator = await operatorSession();
    const { deadLetters } = await admin.loader(args(page("/admin", operator.cookie)));
    expect(deadLetters.batches).toBeGreaterThanOrEqual(1);
    const shown = deadLetters.latest.find((b) => b.id === messageId);
    expect(shown).toMatchObject({ rows: 1, costMicros: 4_321 });
    expect(JSON.stringify(deadLetters)).not.toContain(id);
  });
});
