// Stripe in any order (issue 27, ADR 041): for one payment, any subset of its events delivered in any order — checkout
// completed, async payment succeeded, a partial and a full refund, a dispute created, its funds withdrawn, closed won
// or lost — ends in the same balance and the same ledger sums per kind as the same events in Stripe's own order,
// each applied once (a redelivery is a duplicate).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  balanceOf,
  deliverOk,
  ledgerOf,
  setBalance,
  stripeEvent,
  topupSession,
  uid,
} from "../support/billing-helpers";
import { newUser } from "../support/helpers";

type Outcome = "won" | "lost";

/** One payment's events in the order Stripe sends them (the dispute's end is won or lost). */
function paymentEvents(accountId: string, outcome: Outcome) {
  const pi = uid("pi");
  const ch = uid("ch");
  const dp = uid("dp");
  const session = topupSession(accountId, 1000, { payment_intent: pi });
  const charge = (refunded: number) => ({
    id: ch,
    amount: 1000,
    amount_refunded: refunded,
    payment_intent: pi,
  });
  const dispute = (status: string) => ({ id: dp, charge: ch, payment_intent: pi, status });
  return [
    stripeEvent({ type: "checkout.session.completed", object: session }),
    stripeEvent({ type: "checkout.session.async_payment_succeeded", object: session }),
    stripeEvent({ type: "charge.refunded", object: charge(300) }),
    stripeEvent({ type: "charge.refunded", object: charge(1000) }),
    stripeEvent({ type: "charge.dispute.created", object: dispute("needs_response") }),
    stripeEvent({ type: "charge.dispute.funds_withdrawn", object: dispute("needs_response") }),
    stripeEvent({ type: "charge.dispute.closed", object: dispute(outcome) }),
  ];
}

/** A fresh account with a zero balance, the chosen events delivered in the order given; its balance and sums. */
async function deliveredInOrder(order: number[], outcome: Outcome) {
  const user = await newUser();
  await setBalance(user.id, 0);
  const events = paymentEvents(user.id, outcome);
  for (const i of order) await deliverOk(events[i]!);
  // A redelivery of any of them changes nothing.
  if (order.length) expect(await deliverOk(events[order[0]!]!)).toBe("duplicate");
  const sums: Record<string, number> = {};
  for (const entry of await ledgerOf(user.id))
    sums[entry.kind] = (sums[entry.kind] ?? 0) + entry.amountMicros;
  // A kind whose entries net to zero (a reversal given back when the refund or the won dispute came later) is
  // the same ledger sum as no entry of that kind.
  for (const [kind, sum] of Object.entries(sums)) if (sum === 0) delete sums[kind];
  return { balance: await balanceOf(user.id), sums };
}

const EVENTS = [0, 1, 2, 3, 4, 5, 6];

describe("one payment's Stripe events in any order", () => {
  it("end in the balance and ledger sums of Stripe's own order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(EVENTS, { minLength: 1 }),
        fc.constantFrom<Outcome>("won", "lost"),
        async (order, outcome) => {
          const stripeOrder = [...order].sort((a, b) => a - b);
          const expected = await deliveredInOrder(stripeOrder, outcome);
          const got = await deliveredInOrder(order, outcome);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  }, 240_000);

  it("a refund that beats its checkout is applied when the payment arrives", async () => {
    const refundFirst = await deliveredInOrder([3, 0], "lost");
    expect(refundFirst.balance).toBe(0);
    expect(refundFirst.sums.refund).toBe(-10_000_000);
  });

  it("a dispute before its checkout takes the credit; won, it comes back; a partial refund after it moves the rest", async () => {
    expect((await deliveredInOrder([4, 0], "lost")).balance).toBe(0);
    expect((await deliveredInOrder([6, 4, 0], "won")).balance).toBe(10_000_000);
    const partialAfterDispute = await deliveredInOrder([0, 4, 2], "lost");
    expect(partialAfterDispute.balance).toBe(0);
    expect(partialAfterDispute.sums.refund).toBe(-3_000_000);
    expect(partialAfterDispute.sums.reversal).toBe(-7_000_000);
  });
});
