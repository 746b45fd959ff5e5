// Credit enforcement through the AI API itself: 402 in the one error shape when the balance is empty,
// nothing forwarded; and 100 concurrent requests against a balance covering 10.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { flushCredits } from "#worker/billing/credits";
import { marker, openaiFake, received, script, usageRows } from "../support/ai-helpers";
import { balanceOf, ledgerOf, setBalance } from "../support/billing-helpers";
import { call, expectError, newKeyUser } from "../support/helpers";

/**
 * Waits until `count` served requests were metered (requests settle after their responses): each row's debit is
 * settled in the same object call as the row, then the flush moves the debits into the ledger's hourly entry.
 */
async function settled(accountId: string, count: number, timeoutMs = 25_000): Promise<void> {
  // Refused requests are metered too (and sooner): wait for the served ones themselves.
  const until = Date.now() + timeoutMs;
  let served = 0;
  while (served < count && Date.now() <= until) {
    served = (await usageRows(accountId, 0)).filter((r) => r.status === 200).length;
    if (served < count) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (served < count) throw new Error(`requests were not settled in time: ${served} of ${count}`);
  await flushCredits(env, accountId);
}

const chat = (key: string, model: string, content: string, maxTokens?: number) =>
  call("/v1/chat/completions", {
    key,
    body: { model, messages: [{ role: "user", content }], ...(maxTokens ? { max_tokens: maxTokens } : {}) },
  });

describe("enforcement on /v1", () => {
  it("an empty balance gets 402 insufficient_credit, and nothing reaches the provider", async () => {
    const user = await newKeyUser();
    await setBalance(user.id, 0);
    const error = await expectError(await chat(user.key, "dev/echo", "hi"), 402);
    expect(error).toMatchObject({ code: "insufficient_credit", type: "insufficient_quota" });
    const m = marker();
    await expectError(await chat(user.key, "openai/gpt-4o-mini", m), 402);
    expect(await received(openaiFake(), m)).toHaveLength(0);
    expect(await balanceOf(user.id)).toBe(0);
  });

  it("reserves the worst case (n choices × the output cap): n=128 at 16,384 tokens on a $1 trial is 402, nothing sent", async () => {
    const user = await newKeyUser();
    const m = marker();
    const res = await call("/v1/chat/completions", {
      key: user.key,
      body: {
        model: "openai/gpt-4o-mini",
        n: 128,
        max_tokens: 16_384,
        messages: [{ role: "user", content: m }],
      },
    });
    expect((await expectError(res, 402)).code).toBe("insufficient_credit");
    expect(await received(openaiFake(), m)).toHaveLength(0);
    // Without max_tokens the cap is the model's own maximum, so the same n is refused too.
    const m2 = marker();
    const res2 = await call("/v1/chat/completions", {
      key: user.key,
      body: { model: "openai/gpt-4o-mini", n: 128, messages: [{ role: "user", content: m2 }] },
    });
    await expectError(res2, 402);
    expect(await received(openaiFake(), m2)).toHaveLength(0);
  });

  it("100 concurrent requests against a balance covering 10: 10 succeed, the ledger balances exactly", async () => {
    const user = await newKeyUser();
    // gpt-4o-mini at $0.60/M output: max_tokens 10,000 reserves ≈ 6,000 µ$ (+ a few for the input).
    const perRequest = 6_000;
    await setBalance(user.id, Math.round(10.5 * perRequest));
    const m = marker();
    // The provider holds every answer long enough that all 100 reservations happen before any settles.
    await script(openaiFake(), { match: m, times: 100, delayMs: 1_500 });
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => chat(user.key, "openai/gpt-4o-mini", m, 10_000)),
    );
    const statuses = responses.map((r) => r.status);
    await Promise.all(responses.map((r) => r.text()));
    expect(statuses.filter((s) => s !== 200 && s !== 402)).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 402)).toHaveLength(90);
    expect(await received(openaiFake(), m)).toHaveLength(10);
    await settled(user.id, 10);
    const usage = (await ledgerOf(user.id)).filter((e) => e.kind === "usage");
    // One entry per UTC hour (two if the test crossed an hour), holding exactly what the ten rows cost.
    expect(usage.length).toBeLessThanOrEqual(2);
    const charged = usage.reduce((sum, e) => sum - e.amountMicros, 0);
    const metered = (await usageRows(user.id, 10)).reduce((sum, r) => sum + r.cost_micros, 0);
    expect(charged).toBe(metered);
    // balanceOf also proves the cached balance equals the sum of the ledger.
    expect(await balanceOf(user.id)).toBe(Math.round(10.5 * perRequest) - charged);
    expect(await balanceOf(user.id)).toBeGreaterThanOrEqual(0);
  });
});
