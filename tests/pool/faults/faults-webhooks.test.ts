// Faults while a webhook is applied: D1 failing inside the event's batch. The sender gets a clear non-2xx
// answer, nothing of the event is kept, and the sender's retry applies it exactly once.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import worker from "#worker/index";
import {
  balanceOf,
  deliver,
  deliverOk,
  eventRecorded,
  ledgerOf,
  setBalance,
  stripeEvent,
  topupSession,
  uid,
  WEBHOOK_SECRET,
} from "../support/billing-helpers";
import { expectConsoleError } from "../support/console-errors";
import { countRows } from "../support/d1-count";
import { d1Failing, envWith, fault } from "../support/faults";
import { expectError, newUser, ORIGIN } from "../support/helpers";
import {
  connectedUser,
  customerNumber,
  inboundMessage,
  messageRows,
  notification,
  quietPeriodPasses,
  sentFrom,
  signed,
} from "../support/whatsapp-helpers";

async function fetchWith(testEnv: Env, request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function stripeDelivery(testEnv: Env, event: ReturnType<typeof stripeEvent>): Promise<Response> {
  const payload = JSON.stringify(event);
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: WEBHOOK_SECRET,
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
  return fetchWith(
    testEnv,
    new Request(`${ORIGIN}/webhooks/stripe`, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": signature },
      body: payload,
    }),
  );
}

describe("D1 fails during a Stripe event's batch", () => {
  it("answers 503, records nothing, and Stripe's retry applies the event once", async () => {
    expectConsoleError(/request failed.*"status":503/); // the provoked D1 failure answers 503
    // The injected D1 failure is logged (by its name alone) before the 503.
    expectConsoleError(/stripe event not recorded/);
    const user = await newUser();
    await setBalance(user.id, 0);
    const session = topupSession(user.id, 1500, { customer: uid("cus") });
    const event = stripeEvent({ type: "checkout.session.completed", object: session });
    const d1Down = fault(/INSERT INTO stripe_events/);
    const faulty = envWith({ DB: d1Failing(env.DB, d1Down) });

    const error = await expectError(await stripeDelivery(faulty, event), 503);
    expect(d1Down.hits).toBe(1);
    expect(error.code).toBe("temporarily_unavailable");
    // The batch ran inside D1 and rolled back whole: no event id, no credit, no customer link.
    expect(await eventRecorded(event.id)).toBe(false);
    expect(await balanceOf(user.id)).toBe(0);
    expect((await ledgerOf(user.id)).filter((e) => e.kind === "topup")).toHaveLength(0);
    const link = await env.DB.prepare(
      "SELECT stripe_customer_id AS c FROM billing_accounts WHERE account_id = ?",
    )
      .bind(user.id)
      .first<{ c: string | null }>();
    expect(link!.c).toBeNull();

    // Stripe retries: applied once, and every later retry is a duplicate.
    expect(await deliverOk(event)).toBe("applied");
    expect(await deliverOk(event)).toBe("duplicate");
    expect(await balanceOf(user.id)).toBe(15_000_000);
    expect((await ledgerOf(user.id)).filter((e) => e.kind === "topup")).toHaveLength(1);
  });

  it("an ignored event is not recorded either when D1 fails, and is recorded once on retry", async () => {
    expectConsoleError(/request failed.*"status":503/); // the provoked D1 failure answers 503
    // The injected D1 failure is logged (by its name alone) before the 503.
    expectConsoleError(/stripe event not recorded/);
    const event = stripeEvent({ type: "customer.tax_id.created", object: { id: uid("txi") } });
    const d1Down = fault(/INSERT INTO stripe_events/);
    await expectError(await stripeDelivery(envWith({ DB: d1Failing(env.DB, d1Down) }), event), 503);
    expect(await eventRecorded(event.id)).toBe(false);
    const res = await deliver(event);
    expect(await res.json()).toMatchObject({ outcome: "ignored", reason: "unhandled_event_type" });
    expect(await deliverOk(event)).toBe("duplicate");
  });
});

describe("D1 fails while a WhatsApp notification is recorded", () => {
  it("answers 503, keeps nothing of it, and Meta's retry records and answers it once", async () => {
    expectConsoleError(/request failed.*"status":503/); // the provoked D1 failure answers 503
    // The injected D1 failure is logged (by its name alone) before the 503.
    expectConsoleError(/whatsapp notification not recorded/);
    const user = await connectedUser();
    const message = inboundMessage({ from: customerNumber() });
    const raw = JSON.stringify(notification(user.phoneNumberId, { messages: [message] }));
    const post = async (testEnv: Env) =>
      fetchWith(
        testEnv,
        new Request(`${ORIGIN}/webhooks/whatsapp`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-hub-signature-256": await signed(user.appSecret, raw),
          },
          body: raw,
        }),
      );
    const d1Down = fault(/INSERT OR IGNORE INTO whatsapp_pending/);
    const error = await expectError(await post(envWith({ DB: d1Failing(env.DB, d1Down) })), 503);
    expect(error.code).toBe("temporarily_unavailable");
    expect(await messageRows(user.accountId)).toEqual([]);
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_pending WHERE account_id = ?", user.accountId),
    ).toBe(0);
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);

    expect(await (await post(env)).json()).toEqual({ received: true, outcome: "applied" });
    expect(await (await post(env)).json()).toEqual({ received: true, outcome: "duplicate" });
    await quietPeriodPasses([user.phoneNumberId]);
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
    expect((await messageRows(user.accountId)).filter((r) => r.direction === "in")).toHaveLength(1);
  });
});
