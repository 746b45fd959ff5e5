// A fake Stripe API on loopback: the endpoints billing calls (customers, Checkout and portal sessions,
// subscriptions, customer deletion), with Stripe's idempotency-key semantics. Control API for tests:
// GET /__requests lists every API request (method, path, Idempotency-Key, decoded form params).
// For `npm start -- --fakes`, GET /checkout/:id is a "hosted" page whose Pay button sends the signed
// webhooks Stripe would send to the Worker, then returns to the success URL.
import { createHmac, randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createFakeServer, readBody } from "./http";

export const FAKE_STRIPE_SECRET_KEY = "sk_test_fake";
export const FAKE_STRIPE_WEBHOOK_SECRET = "whsec_test";
export const FAKE_STRIPE_PRICES = { pro: "price_fake_pro", team: "price_fake_team" } as const;
const PRICE_CENTS: Record<string, number> = {
  [FAKE_STRIPE_PRICES.pro]: 2000,
  [FAKE_STRIPE_PRICES.team]: 10000,
};

type RecordedRequest = {
  method: string;
  path: string;
  idempotencyKey: string | null;
  params: Record<string, unknown>;
};

export type FakeStripe = { url: string; close: () => Promise<void> };

type Obj = Record<string, unknown>;

/** Decodes Stripe's form encoding (`a[b][0][c]=v`) into nested objects and arrays. */
function decodeForm(body: string): Obj {
  const root: Obj = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, "").split("[");
    let node: Obj = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) {
        node[part] = value;
        return;
      }
      const nextIsIndex = /^\d+$/.test(path[i + 1] ?? "");
      node[part] ??= nextIsIndex ? [] : {};
      node = node[part] as Obj;
    });
  }
  return root;
}

/** The id in a path like /v1/customers/:id, if the path matches. */
const idIn = (pattern: RegExp, path: string) => pattern.exec(path)?.[1];

const newId = (prefix: string) => `${prefix}_${randomBytes(10).toString("hex")}`;
const now = () => Math.floor(Date.now() / 1000);

function stripeError(res: ServerResponse, status: number, type: string, message: string, code?: string) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { type, message, code } }));
}

/** The Stripe-Signature header Stripe would send for this payload. */
function signPayload(payload: string, secret: string, timestamp = now()): string {
  const v1 = createHmac("sha256", secret).update(`${timestamp}.${payload}`).digest("hex");
  return `t=${timestamp},v1=${v1}`;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: RecordedRequest[] = [];
  const idempotent = new Map<string, { params: string; status: number; body: string }>();
  const customers = new Map<string, Obj>();
  const sessions = new Map<string, Obj>();
  const subscriptions = new Map<string, Obj>();
  let base = "";

  function checkoutSession(params: Obj): Obj {
    const lineItems = (params.line_items as Obj[] | undefined) ?? [];
    const amount = lineItems.reduce((sum, item) => {
      const priceData = item.price_data as Obj | undefined;
      const unit = priceData ? Number(priceData.unit_amount) : (PRICE_CENTS[String(item.price)] ?? 0);
      return sum + unit * Number(item.quantity ?? 1);
    }, 0);
    const id = newId("cs_test");
    const session = {
      id,
      object: "checkout.session",
      url: `${base}/checkout/${id}`,
      mode: params.mode,
      status: "open",
      payment_status: "unpaid",
      customer: params.customer ?? null,
      client_reference_id: params.client_reference_id ?? null,
      metadata: params.metadata ?? {},
      amount_total: amount,
      currency: "usd",
      success_url: params.success_url,
      cancel_url: params.cancel_url,
      line_items: lineItems,
      subscription_data: params.subscription_data ?? null,
      payment_intent: null,
    };
    sessions.set(id, session);
    return session;
  }

  /** The API proper: returns [status, body] for one authenticated request. */
  function api(method: string, path: string, params: Obj): [number, Obj] {
    const customerId = idIn(/^\/v1\/customers\/([^/]+)$/, path);
    const subscriptionId = idIn(/^\/v1\/subscriptions\/([^/]+)$/, path);
    if (method === "POST" && path === "/v1/customers") {
      const customer = {
        id: newId("cus"),
        object: "customer",
        email: params.email ?? null,
        metadata: params.metadata ?? {},
      };
      customers.set(customer.id, customer);
      return [200, customer];
    }
    if (customerId) {
      const customer = customers.get(customerId);
      if (!customer)
        return [
          404,
          { error: { type: "invalid_request_error", code: "resource_missing", message: "No such customer" } },
        ];
      if (method === "GET") return [200, customer];
      if (method === "DELETE") {
        customers.delete(customerId);
        for (const sub of subscriptions.values()) if (sub.customer === customerId) sub.status = "canceled";
        return [200, { id: customerId, object: "customer", deleted: true }];
      }
    }
    if (method === "POST" && path === "/v1/checkout/sessions") return [200, checkoutSession(params)];
    if (method === "POST" && path === "/v1/billing_portal/sessions") {
      const id = newId("bps");
      return [
        200,
        {
          id,
          object: "billing_portal.session",
          customer: params.customer,
          url: `${base}/portal/${id}`,
          return_url: params.return_url,
        },
      ];
    }
    if (subscriptionId) {
      const sub = subscriptions.get(subscriptionId);
      if (!sub)
        return [
          404,
          {
            error: {
              type: "invalid_request_error",
              code: "resource_missing",
              message: "No such subscription",
            },
          },
        ];
      if (method === "DELETE") sub.status = "canceled";
      return [200, sub];
    }
    return [
      404,
      { error: { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path})` } },
    ];
  }

  /** The events Stripe sends when a Checkout session is paid, in the order it usually sends them. */
  function eventsForPayment(session: Obj): Obj[] {
    const event = (type: string, object: Obj) => ({
      id: newId("evt"),
      object: "event",
      type,
      created: now(),
      data: { object },
    });
    const paid: Obj = { ...session, status: "complete", payment_status: "paid" };
    if (session.mode === "payment") {
      paid.payment_intent = newId("pi");
      return [event("checkout.session.completed", paid)];
    }
    const price = String((session.line_items as Obj[])[0]?.price ?? "");
    const periodEnd = now() + 30 * 86400;
    const sub = {
      id: newId("sub"),
      object: "subscription",
      customer: session.customer,
      status: "active",
      metadata: (session.subscription_data as Obj | null)?.metadata ?? {},
      items: { data: [{ price: { id: price }, current_period_end: periodEnd }] },
    };
    subscriptions.set(sub.id, sub);
    paid.subscription = sub.id;
    const invoice = {
      id: newId("in"),
      object: "invoice",
      customer: session.customer,
      number: `FAKE-${randomBytes(3).toString("hex").toUpperCase()}`,
      status: "paid",
      amount_due: PRICE_CENTS[price] ?? 0,
      amount_paid: PRICE_CENTS[price] ?? 0,
      currency: "usd",
      hosted_invoice_url: `${base}/invoice`,
      payment_intent: newId("pi"),
      lines: { data: [{ pricing: { price_details: { price } } }] },
    };
    return [
      event("customer.subscription.created", sub),
      event("checkout.session.completed", paid),
      event("invoice.paid", invoice),
    ];
  }

  async function pay(res: ServerResponse, id: string) {
    const session = sessions.get(id);
    if (!session) return stripeError(res, 404, "invalid_request_error", "No such session");
    const webhook = `${new URL(String(session.success_url)).origin}/webhooks/stripe`;
    for (const event of eventsForPayment(session)) {
      const payload = JSON.stringify(event);
      await fetch(webhook, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "stripe-signature": signPayload(payload, FAKE_STRIPE_WEBHOOK_SECRET),
        },
        body: payload,
      });
    }
    res.writeHead(303, { location: String(session.success_url) });
    res.end();
  }

  function page(res: ServerResponse, title: string, body: string) {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto"><p><strong>Fake Stripe</strong> (local development; no card is ever asked for)</p>${body}</body>`,
    );
  }

  const server = createFakeServer(async (req, res) => {
    const url = new URL(req.url ?? "/", base);
    const body = await readBody(req);
    const method = req.method ?? "GET";
    if (method === "GET" && url.pathname === "/__requests") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ data: requests }));
    }
    const checkoutId = idIn(/^\/checkout\/([^/]+)$/, url.pathname);
    const payId = idIn(/^\/checkout\/([^/]+)\/pay$/, url.pathname);
    if (checkoutId && method === "GET") {
      const session = sessions.get(checkoutId);
      if (!session) return stripeError(res, 404, "invalid_request_error", "No such session");
      const amount = (Number(session.amount_total) / 100).toFixed(2);
      return page(
        res,
        "Checkout",
        `<p>${session.mode === "subscription" ? "Subscription" : "Top-up"}: $${amount}</p><form method="post" action="/checkout/${checkoutId}/pay"><button>Pay</button></form><p><a href="${session.cancel_url}">Cancel</a></p>`,
      );
    }
    if (payId && method === "POST") return pay(res, payId);
    if (/^\/(portal|invoice)/.test(url.pathname))
      return page(res, "Portal", "<p>The customer portal would be here.</p>");

    if (req.headers.authorization !== `Bearer ${FAKE_STRIPE_SECRET_KEY}`) {
      return stripeError(res, 401, "invalid_request_error", "Invalid API Key provided");
    }
    const params = decodeForm(method === "GET" ? url.search.slice(1) : body);
    const key = (req.headers["idempotency-key"] as string | undefined) ?? null;
    requests.push({ method, path: url.pathname, idempotencyKey: key, params });
    const fingerprint = `${method} ${url.pathname} ${body}`;
    const previous = key ? idempotent.get(key) : undefined;
    if (previous) {
      if (previous.params !== fingerprint) {
        return stripeError(
          res,
          400,
          "idempotency_error",
          "Keys for idempotent requests can only be used with the same parameters they were first used with.",
        );
      }
      res.writeHead(previous.status, { "content-type": "application/json", "idempotent-replayed": "true" });
      return res.end(previous.body);
    }
    const [status, result] = api(method, url.pathname, params);
    const text = JSON.stringify(result);
    if (key && method !== "GET") idempotent.set(key, { params: fingerprint, status, body: text });
    res.writeHead(status, { "content-type": "application/json", "request-id": newId("req") });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return { url: base, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
