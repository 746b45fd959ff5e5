// Rows lost during an account-object outage (issue 27, ADR 020): the object refuses every usage batch for 10 s
// while 200 requests are metered; what the batcher could not hand over goes to the real replay queue, and the
// Worker's queue handler redelivers it (once a second, as the queue retries) against the still-failing object
// until it answers. Prints one `OBJECT_OUTAGE {json}` line that `npm run bench` reads: rows metered, lost,
// applied twice, and the balance's difference from the rows' cost (all three must be 0). A measurement: no
// timing is asserted (ADR 005).
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { it } from "vitest";
import { usageRows } from "../../tests/pool/support/ai-helpers";
import { balanceOf, setBalance } from "../../tests/pool/support/billing-helpers";
import { envWith, namespaceDown } from "../../tests/pool/support/faults";
import { newUser } from "../../tests/pool/support/helpers";
import { meteredRow } from "../../tests/pool/support/isolates";
import worker from "../../worker/index";
import { recordUsage } from "../../worker/usage/record";
import type { HandedOff } from "../../worker/usage/replay";

const OUTAGE_MS = 10_000;
const ROWS = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("rows lost while the account object is down", async () => {
  const { id } = await newUser();
  await setBalance(id, 10_000_000);
  const before = await balanceOf(id);
  const upAt = Date.now() + OUTAGE_MS;
  const down = namespaceDown(env.ACCOUNT, "meterBatch", (n) => n === id && Date.now() < upAt);
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
  const outage = envWith({ ACCOUNT: down, USAGE_QUEUE: queue });
  const rows = Array.from({ length: ROWS }, (_, i) =>
    meteredRow({ accountId: id, costMicros: 1_000 + i, leaseId: null, holdId: null }),
  );
  const started = Date.now();
  await Promise.all(
    rows.map((row) =>
      recordUsage(outage, row, { id: crypto.randomUUID(), accountId: id, amountMicros: 5_000 }),
    ),
  );
  // Every batch handed off is also redelivered here against the failing object, as the queue retries it.
  let pending = handedOff.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body }));
  let redeliveries = 0;
  while (pending.length) {
    const batch = createMessageBatch<HandedOff>("botmara-usage", pending);
    const ctx = createExecutionContext();
    await worker.queue(batch, outage);
    const result = await getQueueResult(batch, ctx);
    const retried = new Set(result.retryMessages.map((m: { msgId: string }) => m.msgId));
    redeliveries += retried.size;
    pending = pending.filter((m) => retried.has(m.id)).map((m) => ({ ...m, attempts: m.attempts + 1 }));
    if (pending.length) await sleep(1_000);
  }
  const metered = await usageRows(id, ROWS, 15_000);
  const ids = new Set(metered.map((r) => r.id));
  const cost = rows.reduce((t, r) => t + r.costMicros, 0);
  const figures = {
    rows: ROWS,
    outageSeconds: OUTAGE_MS / 1000,
    handedOffRows: handedOff.flatMap((b) => b.rows).length,
    redeliveries,
    lost: rows.filter((r) => !ids.has(r.id)).length,
    appliedTwice: metered.length - ids.size,
    balanceDifferenceMicros: before - cost - (await balanceOf(id)),
    seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
  };
  console.info(`OBJECT_OUTAGE ${JSON.stringify(figures)}`);
}, 120_000);
