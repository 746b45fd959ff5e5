// POST /api/billing/checkout and /portal against the fake Stripe: parameters, one customer per account,
// an idempotency key on every request, refused input changing nothing, and the erasure step.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eraseStripeCustomer } from "#worker/billing/erasure";
import { billingRow, fakeStripeRequests, linkCustomer } from "../support/billing-helpers";
import { call, expectError, newUser } from "../support/helpers";

type Recorded = Awaited<ReturnType<typeof fakeStripeRequests>>[number];

async function requestsFor(accountId: string, customerId?: string): Promise<Recorded[]> {
  const all = await fakeStripeRequests();
  return all.filter(
    (r) =>
      r.params.metadata?.accountId === accountId ||
      r.params.client_reference_id === accountId ||
      (customerId !== undefined && (r.params.customer === customerId || r.path.endsWith(customerId))),
  );
}

async function checkout(cookie: string, body: unknown) {
  return call("/api/billing/checkout", { cookie, body });
}

describe("checkout", () => {
  it("a subscription: subscription mode, the plan's price, the account linked, keys on every request", async () => {
    const user = await newUser();
    const res = await checkout(user.cookie, { kind: "subscription", plan: "pro" });
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };
    expect(url).toMatch(new RegExp(`^${env.STRIPE_API_BASE_URL}/checkout/cs_test_`));
    const customer = (await billingRow(user.id))!.stripeCustomerId!;
    expect(customer).toMatch(/^cus_/);
    const sent = await requestsFor(user.id, customer);
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/customers",
      "POST /v1/checkout/sessions",
    ]);
    for (const r of sent) expect(r.idempotencyKey).toBeTruthy();
    expect(sent[0]!.params).toMatchObject({ email: user.email, metadata: { accountId: user.id } });
    expect(sent[1]!.params).toMatchObject({
      mode: "subscription",
      customer,
      client_reference_id: user.id,
      line_items: [{ price: "price_fake_pro", quantity: "1" }],
      metadata: { accountId: user.id, kind: "subscription", plan: "pro" },
      subscription_data: { metadata: { accountId: user.id, plan: "pro" } },
      success_url: "http://localhost/dashboard/billing?checkout=success",
      cancel_url: "http://localhost/dashboard/billing?checkout=canceled",
    });
    // No card data is ever part of what we send.
    expect(JSON.stringify(sent)).not.toMatch(/card|cvc|exp_month/);
  });

  it("a top-up: payment mode with the amount, and the same customer as before", async () => {
    const user = await newUser();
    await checkout(user.cookie, { kind: "subscription", plan: "team" });
    const res = await checkout(user.cookie, { kind: "topup", amountCents: 2500 });
    expect(res.status).toBe(200);
    const customer = (await billingRow(user.id))!.stripeCustomerId!;
    const sent = await requestsFor(user.id, customer);
    expect(sent.filter((r) => r.path === "/v1/customers")).toHaveLength(1);
    const sessions = sent.filter((r) => r.path === "/v1/checkout/sessions");
    expect(sessions).toHaveLength(2);
    expect(sessions[1]!.params).toMatchObject({
      mode: "payment",
      customer,
      client_reference_id: user.id,
      line_items: [{ quantity: "1", price_data: { currency: "usd", unit_amount: "2500" } }],
      metadata: { accountId: user.id, kind: "topup" },
      payment_intent_data: { metadata: { accountId: user.id, kind: "topup" } },
    });
    expect(new Set(sessions.map((s) => s.idempotencyKey)).size).toBe(2);
  });

  it("two concurrent first checkouts create one Stripe customer", async () => {
    const user = await newUser();
    const results = await Promise.all([
      checkout(user.cookie, { kind: "topup", amountCents: 1000 }),
      checkout(user.cookie, { kind: "topup", amountCents: 1000 }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const created = (await requestsFor(user.id)).filter((r) => r.path === "/v1/customers");
    // Both calls carry the same idempotency key, so Stripe answers both with one customer.
    expect(new Set(created.map((r) => r.idempotencyKey)).size).toBe(1);
    const customer = (await billingRow(user.id))!.stripeCustomerId!;
    const sessions = (await requestsFor(user.id, customer)).filter((r) => r.path === "/v1/checkout/sessions");
    expect(new Set(sessions.map((s) => s.params.customer))).toEqual(new Set([customer]));
  });

  it.each([
    ["a negative amount", { kind: "topup", amountCents: -500 }, "amountCents"],
    ["a fractional amount", { kind: "topup", amountCents: 1000.5 }, "amountCents"],
    ["an amount below the minimum", { kind: "topup", amountCents: 499 }, "amountCents"],
    ["an amount over the maximum", { kind: "topup", amountCents: 100_001 }, "amountCents"],
    ["an amount as a string", { kind: "topup", amountCents: "1000" }, "amountCents"],
    ["a missing amount", { kind: "topup" }, "amountCents"],
    ["an unknown plan", { kind: "subscription", plan: "enterprise" }, "plan"],
    ["the free plan", { kind: "subscription", plan: "free" }, "plan"],
    ["an unknown kind", { kind: "donation", amountCents: 1000 }, "kind"],
    ["an extra field", { kind: "topup", amountCents: 1000, price: "price_x" }, null],
    ["not an object", [1, 2], null],
  ])("refuses %s with 400 and sends nothing to Stripe", async (_name, body, param) => {
    const user = await newUser();
    const error = await expectError(await checkout(user.cookie, body), 400);
    if (param) expect(error.param).toBe(param);
    expect(await requestsFor(user.id)).toHaveLength(0);
    expect((await billingRow(user.id))?.stripeCustomerId ?? null).toBeNull();
  });

  it("refuses malformed JSON, no session, and a cross-site request", async () => {
    const user = await newUser();
    await expectError(
      await call("/api/billing/checkout", {
        cookie: user.cookie,
        rawBody: "{",
        headers: { "content-type": "application/json" },
      }),
      400,
    );
    await expectError(
      await call("/api/billing/checkout", { body: { kind: "topup", amountCents: 1000 } }),
      401,
    );
    await expectError(
      await call("/api/billing/checkout", {
        cookie: user.cookie,
        origin: "https://evil.example",
        body: { kind: "topup", amountCents: 1000 },
      }),
      403,
    );
    expect(await requestsFor(user.id)).toHaveLength(0);
  });

  it("refuses a second subscription with 409 (plan changes go through the portal)", async () => {
    const user = await newUser();
    const customer = await linkCustomer(user.id);
    const { deliverOk, stripeEvent } = await import("../support/billing-helpers");
    await deliverOk(
      stripeEvent({
        type: "customer.subscription.created",
        object: {
          id: "sub_live_1",
          customer,
          status: "active",
          items: { data: [{ price: { id: "price_fake_pro" } }] },
        },
      }),
    );
    const error = await expectError(await checkout(user.cookie, { kind: "subscription", plan: "team" }), 409);
    expect(error.code).toBe("already_subscribed");
    expect(
      (await requestsFor(user.id, customer)).filter((r) => r.path === "/v1/checkout/sessions"),
    ).toHaveLength(0);
  });
});

describe("portal", () => {
  it("opens a portal session for the account's customer with an idempotency key", async () => {
    const user = await newUser();
    const res = await call("/api/billing/portal", { cookie: user.cookie, method: "POST" });
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };
    expect(url).toMatch(/\/portal\/bps_/);
    const customer = (await billingRow(user.id))!.stripeCustomerId!;
    const portal = (await requestsFor(user.id, customer)).filter(
      (r) => r.path === "/v1/billing_portal/sessions",
    );
    expect(portal).toHaveLength(1);
    expect(portal[0]!.idempotencyKey).toBeTruthy();
    expect(portal[0]!.params).toMatchObject({ customer, return_url: "http://localhost/dashboard/billing" });
  });

  it("needs a session", async () => {
    await expectError(await call("/api/billing/portal", { method: "POST" }), 401);
  });
});

describe("documentation", () => {
  it("lists the billing routes and the Stripe webhook in the OpenAPI document", async () => {
    const doc = (await (await call("/api/openapi.json")).json()) as { paths: Record<string, unknown> };
    for (const path of ["/api/billing", "/api/billing/checkout", "/api/billing/portal", "/webhooks/stripe"]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });
});

describe("erasure", () => {
  it("deletes the Stripe customer once and unlinks it", async () => {
    const user = await newUser();
    await checkout(user.cookie, { kind: "topup", amountCents: 1000 });
    const customer = (await billingRow(user.id))!.stripeCustomerId!;
    expect(await eraseStripeCustomer(env, user.id)).toEqual({ customerDeleted: true });
    expect(await eraseStripeCustomer(env, user.id)).toEqual({ customerDeleted: false });
    const deletions = (await requestsFor(user.id, customer)).filter((r) => r.method === "DELETE");
    expect(deletions.map((r) => r.path)).toEqual([`/v1/customers/${customer}`]);
    expect((await billingRow(user.id))?.stripeCustomerId).toBeNull();
  });

  it("counts a customer Stripe already deleted (a crash after the call) as done", async () => {
    const user = await newUser();
    await checkout(user.cookie, { kind: "topup", amountCents: 1000 });
    const customer = (await billingRow(user.id))!.stripeCustomerId!;
    const gone = await fetch(`${env.STRIPE_API_BASE_URL}/v1/customers/${customer}`, {
      method: "DELETE",
      headers: { authorization: "Bearer sk_test_fake" },
    });
    expect(gone.status).toBe(200);
    expect(await eraseStripeCustomer(env, user.id)).toEqual({ customerDeleted: true });
    expect((await billingRow(user.id))?.stripeCustomerId).toBeNull();
  });
});
