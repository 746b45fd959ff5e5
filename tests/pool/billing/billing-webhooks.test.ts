// POST /webhooks/stripe: signatures, exactly-once under redelivery and concurrency, any order, refunds
// and disputes after spending, outcomes that say what happened, and refused deliveries changing nothing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { reserveCredit } from "#worker/billing/credits";
import { PLANS } from "#worker/billing/plans";
import type { AppError } from "#worker/errors";
import {
  balanceOf,
  billingRow,
  deliver,
  deliverOk,
  deliverRaw,
  eventRecorded,
  ledgerOf,
  linkCustomer,
  meter,
  setBalance,
  stripeEvent,
  topupSession,
  uid,
} from "../support/billing-helpers";
import { call, expectError, newUser } from "../support/helpers";

const PRO = "price_fake_pro";

function subscription(customer: string, status: string, id = uid("sub"), price = PRO) {
  return {
    id,
    object: "subscription",
    customer,
    status,
    metadata: {},
    items: { data: [{ price: { id: price }, current_period_end: 1_800_000_000 }] },
  };
}

async function spend(accountId: string, micros: number) {
  await meter(await reserveCredit(env, accountId, micros), micros, uid("usage"));
}

describe("signature checks (400, nothing changed)", () => {
  async function refusedCleanly(
    res: Response,
    eventId: string,
    accountId: string,
    code = "invalid_signature",
  ) {
    const error = await expectError(res, 400);
    expect(error.code).toBe(code);
    expect(await eventRecorded(eventId)).toBe(false);
    expect(await balanceOf(accountId)).toBe(0);
  }

  it("refuses a missing header, a wrong secret, a forged body, a stale timestamp and a garbled header", async () => {
    const user = await newUser();
    await setBalance(user.id, 0);
    const event = stripeEvent({ type: "checkout.session.completed", object: topupSession(user.id, 1000) });
    const payload = JSON.stringify(event);
    await refusedCleanly(await deliverRaw(payload, { signature: null }), event.id, user.id);
    await refusedCleanly(await deliverRaw(payload, { secret: "whsec_wrong" }), event.id, user.id);
    await refusedCleanly(await deliverRaw(payload, { signature: "t=1,v1=deadbeef" }), event.id, user.id);
    await refusedCleanly(await deliverRaw(payload, { signature: "garbage" }), event.id, user.id);
    const stale = Math.floor(Date.now() / 1000) - 301;
    await refusedCleanly(await deliverRaw(payload, { timestamp: stale }), event.id, user.id);
    const future = Math.floor(Date.now() / 1000) + 301;
    await refusedCleanly(await deliverRaw(payload, { timestamp: future }), event.id, user.id);
    // A valid signature over a different body: the body was altered in transit.
    const header = (await (
      await import("stripe")
    ).default.webhooks.generateTestHeaderStringAsync({
      payload,
      secret: "whsec_test",
    })) as string;
    const tampered = payload.replace('"amount_total":1000', '"amount_total":99999');
    await refusedCleanly(await deliverRaw(tampered, { signature: header }), event.id, user.id);
  });

  it("accepts timestamps within 300 s either way", async () => {
    const user = await newUser();
    await setBalance(user.id, 0);
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 290, now + 290]) {
      const event = stripeEvent({ type: "checkout.session.completed", object: topupSession(user.id, 100) });
      const res = await deliverRaw(JSON.stringify(event), { timestamp });
      expect(res.status).toBe(200);
    }
    expect(await balanceOf(user.id)).toBe(2_000_000);
  });

  it("refuses a signed body that is not JSON, or not the shape Stripe sends", async () => {
    const user = await newUser();
    await setBalance(user.id, 0);
    await refusedCleanly(await deliverRaw("{not json"), "none", user.id, "invalid_event");
    const event = stripeEvent({ type: "checkout.session.completed", object: { id: 42 } });
    await refusedCleanly(await deliver(event), event.id, user.id, "invalid_event");
    // Signed JSON that is not an event envelope at all, of a handled or an unhandled type.
    await refusedCleanly(await deliverRaw("[1,2]"), "none", user.id, "invalid_event");
    const noId = { ...stripeEvent({ type: "customer.tax_id.created", object: {} }), id: undefined };
    await refusedCleanly(await deliverRaw(JSON.stringify(noId)), "none", user.id, "invalid_event");
    const noObject = { ...stripeEvent({ type: "invoice.paid", object: {} }), data: null };
    await refusedCleanly(await deliverRaw(JSON.stringify(noObject)), noObject.id, user.id, "invalid_event");
  });
});

describe("outcomes (every signed, well-formed event: 200, recorded once)", () => {
  async function outcomeOf(event: ReturnType<typeof stripeEvent>) {
    const res = await deliver(event);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    return JSON.parse(text) as { received: true; outcome: string; reason?: string };
  }

  it("an event of a type billing does not handle is ignored, recorded, and a replay is a duplicate", async () => {
    const event = stripeEvent({ type: "customer.tax_id.created", object: { id: uid("txi") } });
    expect(await outcomeOf(event)).toEqual({
      received: true,
      outcome: "ignored",
      reason: "unhandled_event_type",
    });
    expect(await eventRecorded(event.id)).toBe(true);
    expect(await outcomeOf(event)).toEqual({ received: true, outcome: "duplicate" });
  });

  it("a signed event naming an account, customer or payment we do not know answers 200 ignored and changes nothing", async () => {
    const bystander = await newUser();
    await setBalance(bystander.id, 0);
    const ledgerBefore = (await ledgerOf(bystander.id)).length;
    const unknown: [ReturnType<typeof stripeEvent>, string][] = [
      // A deleted account, or another environment's: the id we would have put on the session.
      [
        stripeEvent({
          type: "checkout.session.completed",
          object: topupSession("acct-deleted-long-ago", 500, { customer: uid("cus") }),
        }),
        "unknown_account",
      ],
      [
        stripeEvent({
          type: "checkout.session.async_payment_succeeded",
          object: topupSession("acct-other-env", 500),
        }),
        "unknown_account",
      ],
      [
        stripeEvent({
          type: "customer.subscription.updated",
          object: { ...subscription(uid("cus"), "active"), metadata: { accountId: "acct-gone" } },
        }),
        "unknown_customer",
      ],
      [
        stripeEvent({ type: "customer.subscription.deleted", object: subscription(uid("cus"), "canceled") }),
        "unknown_customer",
      ],
      [
        stripeEvent({
          type: "invoice.paid",
          object: {
            id: uid("in"),
            customer: uid("cus"),
            amount_due: 2000,
            amount_paid: 2000,
            currency: "usd",
            lines: { data: [{ price: { id: PRO } }] },
          },
        }),
        "unknown_customer",
      ],
      [
        stripeEvent({
          type: "invoice.payment_failed",
          object: { id: uid("in"), customer: uid("cus"), amount_due: 2000, amount_paid: 0, currency: "usd" },
        }),
        "unknown_customer",
      ],
      [
        stripeEvent({
          type: "charge.refunded",
          object: { id: uid("ch"), amount: 1000, amount_refunded: 1000, payment_intent: uid("pi") },
        }),
        "unknown_payment",
      ],
      [
        stripeEvent({
          type: "charge.dispute.created",
          object: { id: uid("dp"), charge: uid("ch"), payment_intent: uid("pi") },
        }),
        "unknown_payment",
      ],
    ];
    for (const [event, reason] of unknown) {
      expect(await outcomeOf(event), event.type).toEqual({ received: true, outcome: "ignored", reason });
      expect(await eventRecorded(event.id)).toBe(true);
      expect(await outcomeOf(event), event.type).toEqual({ received: true, outcome: "duplicate" });
    }
    const invoices = await env.DB.prepare(
      "SELECT count(*) AS n FROM billing_invoices WHERE id IN (SELECT value FROM json_each(?))",
    )
      .bind(JSON.stringify(unknown.map(([e]) => (e.data.object as { id: string }).id)))
      .first<{ n: number }>();
    expect(invoices!.n).toBe(0);
    expect(await balanceOf(bystander.id)).toBe(0);
    expect(await ledgerOf(bystander.id)).toHaveLength(ledgerBefore);
  });

  it("an applied event answers applied once, then duplicate", async () => {
    const user = await newUser();
    await setBalance(user.id, 0);
    const event = stripeEvent({ type: "checkout.session.completed", object: topupSession(user.id, 300) });
    expect(await outcomeOf(event)).toEqual({ received: true, outcome: "applied" });
    expect(await outcomeOf(event)).toEqual({ received: true, outcome: "duplicate" });
    expect(await balanceOf(user.id)).toBe(3_000_000);
  });
});

describe("top-ups", () => {
  it("credits a paid checkout once, even when delivered 5 times concurrently", async () => {
    const user = await newUser();
    await setBalance(user.id, 0);
    const event = stripeEvent({ type: "checkout.session.completed", object: topupSession(user.id, 2500) });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => deliverOk(event)));
    expect(outcomes.filter((o) => o === "applied")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(4);
    expect(await deliverOk(event)).toBe("duplicate");
    expect(await balanceOf(user.id)).toBe(25_000_000);
    const topups = (await ledgerOf(user.id)).filter((e) => e.kind === "topup");
    expect(topups).toHaveLength(1);
    expect(topups[0]!.reference).toBe(event.data.object.id);
  });

  it("does not credit an unpaid checkout or a failed async payment; credits a succeeded one once", async () => {
    const user = await newUser();
    await setBalance(user.id, 0);
    const session = topupSession(user.id, 1000, { payment_status: "unpaid" });
    await deliverOk(stripeEvent({ type: "checkout.session.completed", object: session }));
    expect(await balanceOf(user.id)).toBe(0);
    const failed = topupSession(user.id, 1000, { payment_status: "unpaid" });
    await deliverOk(stripeEvent({ type: "checkout.session.completed", object: failed }));
    await deliverOk(stripeEvent({ type: "checkout.session.async_payment_failed", object: failed }));
    expect(await balanceOf(user.id)).toBe(0);
    const paid = { ...session, payment_status: "paid" };
    await deliverOk(stripeEvent({ type: "checkout.session.async_payment_succeeded", object: paid }));
    // Stripe may also (re)send completed as paid for the same session: still one credit.
    await deliverOk(stripeEvent({ type: "checkout.session.completed", object: paid }));
    expect(await balanceOf(user.id)).toBe(10_000_000);
  });

  it("links the Stripe customer from the session to the account", async () => {
    const user = await newUser();
    const customer = uid("cus");
    await deliverOk(
      stripeEvent({ type: "checkout.session.completed", object: topupSession(user.id, 500, { customer }) }),
    );
    expect((await billingRow(user.id))?.stripeCustomerId).toBe(customer);
  });

  it("ignores a session for an account that does not exist", async () => {
    const event = stripeEvent({
      type: "checkout.session.completed",
      object: topupSession("no-such-account", 500),
    });
    expect(await deliverOk(event)).toBe("ignored");
  });
});

describe("subscriptions", () => {
  it("subscription events delivered in reverse order end in the right state", async () => {
    const user = await newUser();
    const customer = await linkCustomer(user.id);
    const id = uid("sub");
    const t = Math.floor(Date.now() / 1000);
    const created = stripeEvent({
      type: "customer.subscription.created",
      object: subscription(customer, "incomplete", id),
      created: t,
    });
    const updated = stripeEvent({
      type: "customer.subscription.updated",
      object: subscription(customer, "active", id),
      created: t + 10,
    });
    const deleted = stripeEvent({
      type: "customer.subscription.deleted",
      object: subscription(customer, "canceled", id),
      created: t + 20,
    });
    for (const e of [deleted, updated, created]) await deliverOk(e);
    const row = await billingRow(user.id);
    expect(row).toMatchObject({
      subscriptionId: id,
      subscriptionStatus: "canceled",
      subscriptionEventAt: t + 20,
    });
    const res = await call("/api/billing", { cookie: user.cookie });
    expect(((await res.json()) as { plan: { id: string } }).plan.id).toBe("free");
  });

  it("in order: created then updated to active puts the account on the plan", async () => {
    const user = await newUser();
    const customer = await linkCustomer(user.id);
    const id = uid("sub");
    const t = Math.floor(Date.now() / 1000);
    await deliverOk(
      stripeEvent({
        type: "customer.subscription.created",
        object: subscription(customer, "incomplete", id),
        created: t,
      }),
    );
    await deliverOk(
      stripeEvent({
        type: "customer.subscription.updated",
        object: subscription(customer, "active", id),
        created: t + 1,
      }),
    );
    const res = await call("/api/billing", { cookie: user.cookie });
    const body = (await res.json()) as { plan: { id: string }; status: string; currentPeriodEnd: string };
    expect(body).toMatchObject({
      plan: { id: "pro" },
      status: "active",
      currentPeriodEnd: new Date(1_800_000_000_000).toISOString(),
    });
  });

  it("a cancellation scheduled for the period's end shows as the date it ends, and goes when resumed", async () => {
    const user = await newUser();
    const customer = await linkCustomer(user.id);
    const id = uid("sub");
    const t = Math.floor(Date.now() / 1000);
    const billing = async () =>
      (await (await call("/api/billing", { cookie: user.cookie })).json()) as {
        status: string;
        currentPeriodEnd: string;
        cancelAt: string | null;
      };
    await deliverOk(
      stripeEvent({
        type: "customer.subscription.created",
        object: subscription(customer, "active", id),
        created: t,
      }),
    );
    expect(await billing()).toMatchObject({ status: "active", cancelAt: null });
    await deliverOk(
      stripeEvent({
        type: "customer.subscription.updated",
        object: { ...subscription(customer, "active", id), cancel_at_period_end: true },
        created: t + 1,
      }),
    );
    const end = new Date(1_800_000_000_000).toISOString();
    expect(await billing()).toMatchObject({ status: "active", currentPeriodEnd: end, cancelAt: end });
    // Newer API versions say when instead.
    await deliverOk(
      stripeEvent({
        type: "customer.subscription.updated",
        object: {
          ...subscription(customer, "active", id),
          cancel_at_period_end: false,
          cancel_at: 1_790_000_000,
        },
        created: t + 2,
      }),
    );
    expect((await billing()).cancelAt).toBe(new Date(1_790_000_000_000).toISOString());
    await deliverOk(
      stripeEvent({
        type: "customer.subscription.updated",
        object: { ...subscription(customer, "active", id), cancel_at_period_end: false, cancel_at: null },
        created: t + 3,
      }),
    );
    expect(await billing()).toMatchObject({ status: "active", cancelAt: null });
  });

  it("a canceled subscription is not revived by an event of the same second; an old one ending leaves the new one", async () => {
    const user = await newUser();
    const customer = await linkCustomer(user.id);
    const t = Math.floor(Date.now() / 1000);
    const old = uid("sub");
    await deliverOk(
      stripeEvent({
        type: "customer.subscription.deleted",
        object: subscription(customer, "canceled", old),
        created: t,
      }),
    );
    await deliverOk(
      stripeEvent({
        type: "customer.subscription.updated",
        object: subscription(customer, "active", old),
        created: t,
      }),
    );
    expect((await billingRow(user.id))?.subscriptionStatus).toBe("canceled");
    const fresh = uid("sub");
    await deliverOk(
      stripeEvent({
        type: "customer.subscription.created",
        object: subscription(customer, "active", fresh, "price_fake_team"),
        created: t + 5,
      }),
    );
    await deliverOk(
      stripeEvent({
        type: "customer.subscription.deleted",
        object: subscription(customer, "canceled", uid("sub")),
        created: t + 6,
      }),
    );
    expect(await billingRow(user.id)).toMatchObject({ subscriptionId: fresh, subscriptionStatus: "active" });
  });

  it("invoice.paid grants the plan's monthly credit once per invoice and keeps the invoice", async () => {
    const user = await newUser();
    await setBalance(user.id, 0);
    const customer = await linkCustomer(user.id);
    const invoice = {
      id: uid("in"),
      object: "invoice",
      customer,
      number: "INV-0001",
      status: "paid",
      amount_due: 2000,
      amount_paid: 2000,
      currency: "usd",
      hosted_invoice_url: "https://invoice.example/1",
      lines: { data: [{ pricing: { price_details: { price: PRO } } }] },
    };
    await deliverOk(stripeEvent({ type: "invoice.paid", object: invoice }));
    await deliverOk(stripeEvent({ type: "invoice.paid", object: invoice })); // same invoice, new event id
    expect(await balanceOf(user.id)).toBe(PLANS.pro.monthlyMicros);
    // An older failure notice for the same invoice does not un-pay it.
    await deliverOk(
      stripeEvent({ type: "invoice.payment_failed", object: { ...invoice, status: "open" }, created: 1 }),
    );
    const res = await call("/api/billing", { cookie: user.cookie });
    const body = (await res.json()) as { invoices: { id: string; status: string; number: string }[] };
    expect(body.invoices).toEqual([
      expect.objectContaining({ id: invoice.id, status: "paid", number: "INV-0001" }),
    ]);
  });

  it("invoice.payment_failed records the invoice without credit", async () => {
    const user = await newUser();
    await setBalance(user.id, 0);
    const customer = await linkCustomer(user.id);
    const invoice = {
      id: uid("in"),
      customer,
      status: "open",
      amount_due: 2000,
      amount_paid: 0,
      currency: "usd",
    };
    await deliverOk(stripeEvent({ type: "invoice.payment_failed", object: invoice }));
    expect(await balanceOf(user.id)).toBe(0);
    const res = await call("/api/billing", { cookie: user.cookie });
    const body = (await res.json()) as { invoices: { status: string }[] };
    expect(body.invoices.map((i) => i.status)).toEqual(["payment_failed"]);
  });
});

describe("refunds and disputes", () => {
  it("a refund after spending reverses the credit, the balance goes negative, and requests get 402", async () => {
    const user = await newUser();
    await setBalance(user.id, 0);
    const session = topupSession(user.id, 1000);
    await deliverOk(stripeEvent({ type: "checkout.session.completed", object: session }));
    await spend(user.id, 8_000_000);
    expect(await balanceOf(user.id)).toBe(2_000_000);
    const charge = {
      id: uid("ch"),
      amount: 1000,
      amount_refunded: 1000,
      payment_intent: session.payment_intent,
    };
    await deliverOk(stripeEvent({ type: "charge.refunded", object: charge }));
    expect(await balanceOf(user.id)).toBe(-8_000_000);
    const error = await reserveCredit(env, user.id, 0).catch((e: AppError) => e);
    expect((error as AppError).status).toBe(402);
  });

  it("partial refunds arriving out of order converge on the cumulative amount", async () => {
    const user = await newUser();
    await setBalance(user.id, 0);
    const session = topupSession(user.id, 1000);
    await deliverOk(stripeEvent({ type: "checkout.session.completed", object: session }));
    const ch = uid("ch");
    const refund = (cents: number) =>
      stripeEvent({
        type: "charge.refunded",
        object: { id: ch, amount: 1000, amount_refunded: cents, payment_intent: session.payment_intent },
      });
    await deliverOk(refund(600)); // the later, cumulative state arrives first
    await deliverOk(refund(300));
    expect(await balanceOf(user.id)).toBe(4_000_000);
    await deliverOk(refund(1000));
    expect(await balanceOf(user.id)).toBe(0);
  });

  it("a dispute takes back what the payment still backs, never more, even after a refund", async () => {
    const user = await newUser();
    await setBalance(user.id, 0);
    const session = topupSession(user.id, 2000);
    await deliverOk(stripeEvent({ type: "checkout.session.completed", object: session }));
    const ch = uid("ch");
    await deliverOk(
      stripeEvent({
        type: "charge.refunded",
        object: { id: ch, amount: 2000, amount_refunded: 500, payment_intent: session.payment_intent },
      }),
    );
    const dispute = { id: uid("dp"), charge: ch, payment_intent: session.payment_intent, amount: 2000 };
    await Promise.all([
      deliverOk(stripeEvent({ type: "charge.dispute.created", object: dispute })),
      deliverOk(stripeEvent({ type: "charge.dispute.created", object: dispute })),
    ]);
    expect(await balanceOf(user.id)).toBe(0);
    const kinds = (await ledgerOf(user.id)).map((e) => e.kind).sort();
    expect(kinds).toEqual(["adjustment", "refund", "reversal", "topup", "trial"].sort());
  });
});
