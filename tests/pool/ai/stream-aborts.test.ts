// A client that hangs up at any point is metered exactly once (issue 27): after every chunk of a stream, including
// between the last content chunk and the usage/[DONE] that close the provider's stream, whether the runtime cancels
// the response stream or just stops reading it (as workerd may when it tears down a hung-up response); and under
// 1,000 concurrent requests with the account object slow to answer, every request leaves one row and the balance
// moves by exactly their cost.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "#worker/index";
import { marker, openaiFake, script, usageRowById, usageRows } from "../support/ai-helpers";
import { balanceOf, setBalance } from "../support/billing-helpers";
import { envWith, namespaceSlowed } from "../support/faults";
import { call, newKeyUser, ORIGIN } from "../support/helpers";

const body = (m: string, stream = true) =>
  ({ model: "openai/gpt-4o-mini", stream, messages: [{ role: "user", content: m }] }) as const;

/** The OpenAI fake's stream of the default reply: role, 8 content chunks, finish, [DONE] (10 events). */
const EVENTS = 11;

async function hangUpAfter(key: string, id: string, position: number, how: "cancel" | "stop reading") {
  for (const chunkDelayMs of [0, 5]) {
    const m = marker();
    await script(openaiFake(), { match: m, chunkDelayMs });
    const res = await call("/v1/chat/completions", { key, body: body(m) });
    const requestId = res.headers.get("x-request-id")!;
    const reader = res.body!.getReader();
    for (let i = 0; i < position; i++) if ((await reader.read()).done) break;
    if (how === "cancel") await reader.cancel();
    else reader.releaseLock(); // the response is dropped unread, never cancelled
    const row = await usageRowById(id, requestId);
    expect(row, `${how} after ${position} reads (${chunkDelayMs} ms apart)`).toBeDefined();
  }
}

describe("a client hanging up", () => {
  it("meters a cancelled stream once, after every chunk position", async () => {
    const { key, id } = await newKeyUser();
    for (let position = 0; position <= EVENTS; position++) await hangUpAfter(key, id, position, "cancel");
    expect(await usageRows(id, 2 * (EVENTS + 1))).toHaveLength(2 * (EVENTS + 1));
  });

  it("meters a stream the client stops reading without a cancel, after every chunk position", async () => {
    const { key, id } = await newKeyUser();
    for (let position = 0; position <= EVENTS; position++)
      await hangUpAfter(key, id, position, "stop reading");
    const rows = await usageRows(id, 2 * (EVENTS + 1));
    expect(rows).toHaveLength(2 * (EVENTS + 1));
    // Nobody cancelled: the provider's stream was read to its end and its own usage billed.
    expect(rows.every((r) => r.status === 200 && r.estimated === 0)).toBe(true);
  });

  it("1,000 concurrent requests, a quarter hung up at random points, the object slow: 1,000 rows, exact balance", async () => {
    const { key, id, cookie } = await newKeyUser();
    // 25 keys × 40 requests: under each key's cap of open streams and its rate limit.
    const keys = [key];
    while (keys.length < 25) {
      const res = await call("/api/keys", { body: { name: `k${keys.length}` }, cookie });
      keys.push(((await res.json()) as { key: string }).key);
    }
    await setBalance(id, 50_000_000);
    const before = await balanceOf(id);
    const slow = envWith({ ACCOUNT: namespaceSlowed(env.ACCOUNT, () => 200 + Math.random() * 1_800) });
    const m = marker();
    await script(openaiFake(), { match: m, times: 1_000, chunkDelayMs: 2 });
    const ctx = createExecutionContext();
    const statuses = await Promise.all(
      Array.from({ length: 1_000 }, async (_, i) => {
        const stream = i % 4 !== 3;
        const res = await worker.fetch(
          new Request(`${ORIGIN}/v1/chat/completions`, {
            method: "POST",
            headers: { authorization: `Bearer ${keys[i % 25]}`, "content-type": "application/json" },
            body: JSON.stringify(body(`${m} ${i}`, stream)),
          }),
          slow,
          ctx,
        );
        const reader = res.body!.getReader();
        if (Math.random() < 0.25) {
          const reads = Math.floor(Math.random() * EVENTS);
          for (let r = 0; r < reads; r++) if ((await reader.read()).done) break;
          if (Math.random() < 0.5) await reader.cancel();
          else reader.releaseLock();
        } else while (!(await reader.read()).done);
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await waitOnExecutionContext(ctx);
    const rows = await usageRows(id, 1_000, 30_000);
    expect(rows).toHaveLength(1_000);
    const charged = rows.reduce((t, r) => t + r.cost_micros, 0);
    expect(await balanceOf(id)).toBe(before - charged);
  }, 180_000);
});
