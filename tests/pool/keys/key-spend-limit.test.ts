// A key's monthly spend limit, enforced on the hot path through the credit lease (ADR 026): 402
// key_spend_limit_reached in each dialect's shape with nothing sent upstream and nothing debited; concurrency
// cannot push a key over its limit; a PATCH takes effect; last month's spend does not count; cost per key shows.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { usageEvents } from "#db/schema";
import { accountObject } from "#worker/account-object/stub";
import { flushCredits } from "#worker/billing/credits";
import { monthStart } from "#worker/billing/key-spend-month";
import { reserveInObject } from "#worker/billing/lease";
import { expectAnthropicError, marker, openaiFake, received, script, usageRows } from "../support/ai-helpers";
import { balanceOf, db, setBalance } from "../support/billing-helpers";
import { call, expectError, newKeyUser, newUser } from "../support/helpers";
import { allAtOnce, isolates, meteredRow } from "../support/isolates";

const MODEL = "openai/gpt-4o-mini";

/** Spend already metered for the key at `at` (a usage row in D1, as a flush leaves it; its trigger aggregates). */
async function spent(accountId: string, keyId: string, micros: number, at = Date.now()): Promise<void> {
  await db()
    .insert(usageEvents)
    .values({
      id: crypto.randomUUID(),
      accountId,
      keyId,
      source: "api",
      endpoint: "chat.completions",
      model: MODEL,
      provider: "openai",
      inputTokens: 10,
      outputTokens: 10,
      costMicros: micros,
      latencyMs: 1,
      status: 200,
      streamed: false,
      estimated: false,
      createdAt: new Date(at),
    });
}

const patch = (cookie: string, keyId: string, monthlySpendLimitCents: number | null) =>
  call(`/api/keys/${keyId}`, { method: "PATCH", cookie, body: { monthlySpendLimitCents } });

const openai = (key: string, m: string) =>
  call("/v1/chat/completions", {
    key,
    body: { model: MODEL, max_tokens: 16, messages: [{ role: "user", content: m }] },
  });
const anthropic = (key: string, m: string) =>
  call("/v1/messages", {
    key,
    body: { model: MODEL, max_tokens: 16, messages: [{ role: "user", content: m }] },
  });
const responses = (key: string, m: string) =>
  call("/v1/responses", { key, body: { model: MODEL, max_output_tokens: 16, input: m } });

describe("a key's monthly spend limit", () => {
  it("once reached: 402 key_spend_limit_reached in each dialect, nothing upstream, nothing debited", async () => {
    const user = await newKeyUser();
    expect((await patch(user.cookie, user.keyId, 1)).status).toBe(200); // 1 cent = 10,000 µ$
    await spent(user.id, user.keyId, 10_000);
    await setBalance(user.id, 1_000_000);
    const before = await balanceOf(user.id);

    const m1 = marker();
    const e1 = await expectError(await openai(user.key, m1), 402);
    expect(e1).toMatchObject({ code: "key_spend_limit_reached", type: "insufficient_quota" });
    const m2 = marker();
    const e2 = await expectAnthropicError(await anthropic(user.key, m2), 402);
    expect(e2).toMatchObject({ type: "billing_error", code: "key_spend_limit_reached" });
    const m3 = marker();
    const e3 = await expectError(await responses(user.key, m3), 402);
    expect(e3.code).toBe("key_spend_limit_reached");

    for (const m of [m1, m2, m3]) expect(await received(openaiFake(), m)).toHaveLength(0);
    expect(await balanceOf(user.id)).toBe(before);
    // The refusals are in the request log at no cost (the seeded row plus three refusals).
    const rows = await usageRows(user.id, 4);
    expect(rows.filter((r) => r.status === 402).map((r) => r.cost_micros)).toEqual([0, 0, 0]);
  });

  it("spend of an earlier month does not count: the month starts again at 00:00 UTC on the 1st", async () => {
    const user = await newKeyUser();
    expect((await patch(user.cookie, user.keyId, 1)).status).toBe(200);
    await spent(user.id, user.keyId, 50_000, monthStart(Date.now()) - 1);
    const res = await openai(user.key, marker());
    expect(res.status).toBe(200);
    await res.text();
    expect(monthStart(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toBe(Date.UTC(2026, 11, 1));
    expect(monthStart(Date.UTC(2027, 0, 1))).toBe(Date.UTC(2027, 0, 1));
  });

  it("raising or removing the limit with PATCH takes effect on the next request", async () => {
    const user = await newKeyUser();
    expect((await patch(user.cookie, user.keyId, 2)).status).toBe(200);
    await spent(user.id, user.keyId, 20_000);
    expect((await expectError(await openai(user.key, marker()), 402)).code).toBe("key_spend_limit_reached");

    expect((await patch(user.cookie, user.keyId, 3)).status).toBe(200); // 10,000 µ$ left this month
    const raised = await openai(user.key, marker());
    expect(raised.status).toBe(200);
    await raised.text();

    expect((await patch(user.cookie, user.keyId, 2)).status).toBe(200); // lowered under what was spent
    expect((await expectError(await openai(user.key, marker()), 402)).code).toBe("key_spend_limit_reached");

    expect((await patch(user.cookie, user.keyId, null)).status).toBe(200);
    const removed = await openai(user.key, marker());
    expect(removed.status).toBe(200);
    await removed.text();
  });

  it("100 concurrent requests cannot push a key over its limit; the rest get 402 and are never sent", async () => {
    const user = await newKeyUser();
    // max_tokens 10,000 on gpt-4o-mini reserves ≈ 6,000 µ$ each; the limit covers 8 of them, the balance 160.
    expect((await patch(user.cookie, user.keyId, 5)).status).toBe(200);
    await setBalance(user.id, 1_000_000);
    const before = await balanceOf(user.id);
    const m = marker();
    await script(openaiFake(), { match: m, times: 100, delayMs: 1_500 });
    const all = await Promise.all(
      Array.from({ length: 100 }, () =>
        call("/v1/chat/completions", {
          key: user.key,
          body: { model: MODEL, max_tokens: 10_000, messages: [{ role: "user", content: m }] },
        }),
      ),
    );
    const statuses = all.map((r) => r.status);
    const bodies = await Promise.all(all.map((r) => r.text()));
    const served = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 402)).toEqual([]);
    expect(served).toBeGreaterThanOrEqual(1);
    expect(served).toBeLessThanOrEqual(8);
    for (const [i, body] of bodies.entries()) {
      if (statuses[i] === 402) expect(JSON.parse(body).error.code).toBe("key_spend_limit_reached");
    }
    expect(await received(openaiFake(), m)).toHaveLength(served);
    const rows = (await usageRows(user.id, 100, 15_000)).filter((r) => r.status === 200);
    expect(rows).toHaveLength(served);
    const cost = rows.reduce((sum, r) => sum + r.cost_micros, 0);
    expect(cost).toBeLessThanOrEqual(50_000);
    expect(await balanceOf(user.id)).toBe(before - cost);
  });

  it("1,000 reservations of one key over 8 isolates' leases never exceed its limit, and its spend is exact", async () => {
    const { id } = await newUser();
    await setBalance(id, 10_000_000); // the balance is not what stops them
    const keyId = crypto.randomUUID();
    const key = { keyId, limit: 200_000 };
    const leases = isolates(8);
    const RESERVE = 2_000;
    let charged = 0;
    let local = 0;
    let refused = 0;
    await allAtOnce(leases, 1_000, async (isolate, i) => {
      await isolate.renew(env, id, Date.now(), key);
      const cost = 900 + (i % 5) * 200;
      const leaseId = isolate.reserve(id, RESERVE, Date.now(), key);
      let holdId: string | null = null;
      if (leaseId) local += 1;
      else {
        const held = await reserveInObject(env, id, RESERVE, isolate, key);
        if (held === null) throw new Error("the balance refused it");
        if (typeof held !== "string") {
          refused += 1;
          return;
        }
        holdId = held;
      }
      charged += cost;
      if (leaseId) isolate.settle(id, leaseId, RESERVE, cost, keyId);
      const row = meteredRow({
        accountId: id,
        keyId,
        model: MODEL,
        inputTokens: 1,
        outputTokens: 1,
        costMicros: cost,
        holdId,
        leaseId: leaseId ?? null,
        keyLeased: Boolean(leaseId),
      });
      await accountObject(env, id).meterBatch(id, [row]);
    });
    expect(local).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(charged).toBeLessThanOrEqual(key.limit);
    // The object's figure for the key is what was metered, exactly (so the next month's check starts right).
    await accountObject(env, id).flushUsage();
    await flushCredits(env, id);
    const metered = await env.DB.prepare(
      "SELECT coalesce(sum(cost_micros), 0) AS cost FROM usage_hourly WHERE key = ?",
    )
      .bind(keyId)
      .first<{ cost: number }>();
    expect(metered?.cost).toBe(charged);
    expect(await balanceOf(id)).toBe(10_000_000 - charged);
    // Once every allowance is back, what is left of the limit can still be reserved, and no more.
    for (const isolate of leases) {
      const back = isolate.surrender(id, keyId);
      if (back) await accountObject(env, id).meterBatch(id, [], back);
    }
    const left = key.limit - charged;
    if (left > 0) expect(typeof (await reserveInObject(env, id, left, undefined, key))).toBe("string");
    expect(await reserveInObject(env, id, 1, undefined, key)).toEqual({ refused: "key_spend_limit" });
  });

  it("cost per key still shows on the usage page's key grouping", async () => {
    const user = await newKeyUser();
    expect((await patch(user.cookie, user.keyId, 100)).status).toBe(200);
    const res = await openai(user.key, marker());
    expect(res.status).toBe(200);
    await res.text();
    await usageRows(user.id, 1);
    const usage = await call("/api/usage?groupBy=key", { cookie: user.cookie });
    const { rows } = (await usage.json()) as { rows: { group: string; cost: number; requests: number }[] };
    expect(rows).toHaveLength(1);
    expect(rows[0]!.requests).toBe(1);
    expect(rows[0]!.cost).toBeGreaterThan(0);
  });
});
