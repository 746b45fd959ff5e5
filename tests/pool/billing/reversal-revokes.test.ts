// A reversal stops spending within a second (issue 27, ADR 040): a full refund, a partial refund or a dispute that
// takes the balance to zero or below revokes every lease of the account, and the first request a second after the
// webhook was answered gets 402 — although the isolate held a lease that would have served it for another 25 s.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { isolateLeases } from "#worker/billing/lease";
import { recordUsage } from "#worker/usage/record";
import { marker } from "../support/ai-helpers";
import { balanceOf, deliverOk, setBalance, stripeEvent, topupSession, uid } from "../support/billing-helpers";
import { call, newKeyUser } from "../support/helpers";
import { meteredRow } from "../support/isolates";

const chat = (key: string) =>
  call("/v1/chat/completions", {
    key,
    body: { model: "openai/gpt-4o-mini", max_tokens: 16, messages: [{ role: "user", content: marker() }] },
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An account that paid $10 through Checkout and is serving requests from a lease in this isolate. */
async function servingFromLease() {
  const user = await newKeyUser();
  await setBalance(user.id, 0);
  const session = topupSession(user.id, 1000);
  await deliverOk(stripeEvent({ type: "checkout.session.completed", object: session }));
  for (let i = 0; i < 5; i++) expect((await chat(user.key)).status).toBe(200);
  const until = Date.now() + 5_000;
  while (isolateLeases.available(user.id) === 0 && Date.now() < until) {
    expect((await chat(user.key)).status).toBe(200);
    await sleep(20);
  }
  expect(isolateLeases.available(user.id)).toBeGreaterThan(0);
  return { ...user, paymentIntent: session.payment_intent };
}

describe("a reversal revokes the account's leases", () => {
  const reversals: [string, (paymentIntent: string, accountId: string) => Promise<void>][] = [
    [
      "a full refund",
      async (pi) => {
        await deliverOk(
          stripeEvent({
            type: "charge.refunded",
            object: { id: uid("ch"), amount: 1000, amount_refunded: 1000, payment_intent: pi },
          }),
        );
      },
    ],
    [
      "a partial refund of a top-up mostly spent",
      async (pi, accountId) => {
        await setBalance(accountId, 3_000_000); // $7 of the $10 spent
        await deliverOk(
          stripeEvent({
            type: "charge.refunded",
            object: { id: uid("ch"), amount: 1000, amount_refunded: 500, payment_intent: pi },
          }),
        );
      },
    ],
    [
      "a dispute",
      async (pi) => {
        await deliverOk(
          stripeEvent({
            type: "charge.dispute.created",
            object: { id: uid("dp"), charge: uid("ch"), payment_intent: pi },
          }),
        );
      },
    ],
  ];

  for (const [name, reverse] of reversals) {
    it(`${name}: the next request a second after the webhook is 402`, async () => {
      const user = await servingFromLease();
      await reverse(user.paymentIntent, user.id);
      expect(await balanceOf(user.id)).toBeLessThanOrEqual(0);
      await sleep(1_000);
      const res = await chat(user.key);
      expect(res.status).toBe(402);
      expect(isolateLeases.available(user.id)).toBe(0);
    });
  }

  it("an isolate under traffic learns it from the reply to its next usage batch", async () => {
    const user = await servingFromLease();
    await deliverOk(
      stripeEvent({
        type: "charge.refunded",
        object: { id: uid("ch"), amount: 1000, amount_refunded: 1000, payment_intent: user.paymentIntent },
      }),
    );
    // Still held here: nothing has told this isolate yet.
    expect(isolateLeases.available(user.id)).toBeGreaterThan(0);
    // The next request's usage row goes out in a batch (no renewal riding along); its reply carries the news.
    await recordUsage(env, meteredRow({ accountId: user.id, costMicros: 0, leaseId: null, holdId: null }));
    expect(isolateLeases.available(user.id)).toBe(0);
    expect((await chat(user.key)).status).toBe(402);
  });
});
