// Templates after the 24-hour window (ADR 065): a number's templates synced from Meta (on connect, on demand, on
// a status notice), the fallback template sent instead of a free-form reply when the window has closed or Graph
// answers 131047, nothing sent without one, a paused template no longer used, Meta's quality and alert notices
// recorded, the dashboard section, and two numbers with their own templates.
import { describe, expect, it } from "vitest";
import * as whatsappPage from "../../../app/routes/dashboard/whatsapp";
import type { FakeTemplate } from "../../fakes/graph";
import { marker, openaiFake, received } from "../support/ai-helpers";
import { call, expectError, PASSWORD } from "../support/helpers";
import { renderPage } from "../support/render-page";
import { args, page, post, unwrap } from "../support/route-calls";
import {
  connectedUser,
  customerNumber,
  deliverSigned,
  digits,
  graphOrigin,
  inboundMessage,
  messageRow,
  notification,
  runCron,
  scriptGraph,
  sentFrom,
  statusUpdate,
} from "../support/whatsapp-helpers";

const HOUR = 3_600_000;

/** Meta's shape for a template with a text body. */
const template = (name: string, body: string, status = "APPROVED", language = "en_US"): FakeTemplate => ({
  id: digits(15),
  name,
  language,
  status,
  category: "UTILITY",
  parameter_format: /\{\{\d+\}\}/.test(body) || !/\{\{/.test(body) ? "POSITIONAL" : "NAMED",
  components: [{ type: "BODY", text: body }],
});

async function metaHas(wabaId: string, phoneNumberIds: string[], templates: FakeTemplate[]) {
  await fetch(`${graphOrigin()}/__templates`, {
    method: "POST",
    body: JSON.stringify({ wabaId, phoneNumberIds, templates }),
  });
}

async function closeWindow(phoneNumberId: string, to: string) {
  await fetch(`${graphOrigin()}/__window`, {
    method: "POST",
    body: JSON.stringify({ phoneNumberId, to, closed: true }),
  });
}

const FOLLOW_UP = () =>
  template("order_follow_up", "Hi {{1}}, thanks for writing to {{2}}. Reply to continue.");

/** A connected number whose business account has these templates at Meta (read when it connects). */
async function numberWith(templates: FakeTemplate[], overrides: Record<string, unknown> = {}) {
  const wabaId = digits(15);
  const phoneNumberId = digits(15);
  await metaHas(wabaId, [phoneNumberId], templates);
  const user = await connectedUser({ wabaId, phoneNumberId, ...overrides });
  return { ...user, wabaId };
}

type Page = {
  templates: { name: string; language: string; status: string; parameters: string[] }[];
  fallback: { name: string; active: boolean; status: string; parameters: string[] } | null;
  syncError: string | null;
  events: { field: string; event: string; summary: string }[];
  expired: { messageId: string; template: string | null; deliveryStatus: string | null }[];
};

const templatesOf = async (cookie: string, phoneNumberId: string) => {
  const res = await call(`/api/whatsapp/numbers/${phoneNumberId}/templates`, { cookie });
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};

const setFallback = (cookie: string, phoneNumberId: string, body: unknown) =>
  call(`/api/whatsapp/numbers/${phoneNumberId}/templates/fallback`, { method: "PUT", cookie, body });

/** A customer's message sent `ageMs` ago, with their WhatsApp profile name, delivered through the webhook. */
async function customerWrites(
  user: { appSecret: string; phoneNumberId: string },
  opts: { from?: string; ageMs?: number; body?: string; name?: string } = {},
) {
  const from = opts.from ?? customerNumber();
  const message = inboundMessage({ from, body: opts.body, timestamp: Date.now() - (opts.ageMs ?? 0) });
  const contacts = [{ profile: { name: opts.name ?? "Ana" }, wa_id: from }];
  await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [message], contacts }));
  return { from, message };
}

/** A WABA-level notification (template status, quality, alert) as the Cloud API sends it. */
const wabaNotice = (wabaId: string, field: string, value: unknown) => ({
  object: "whatsapp_business_account",
  entry: [{ id: wabaId, time: Math.floor(Date.now() / 1000), changes: [{ field, value }] }],
});

describe("syncing a number's templates", () => {
  it("reads them when the number connects and again on demand, statuses and placeholders included", async () => {
    const user = await numberWith([
      FOLLOW_UP(),
      template("welcome", "Welcome {{first_name}}!"),
      template("promo", "20% off", "PENDING"),
    ]);
    const first = await templatesOf(user.cookie, user.phoneNumberId);
    expect(first.templates.map((t) => [t.name, t.status, t.parameters])).toEqual([
      ["order_follow_up", "APPROVED", ["1", "2"]],
      ["promo", "PENDING", []],
      ["welcome", "APPROVED", ["first_name"]],
    ]);
    // Meta now has a new one and no longer the promo: a sync follows.
    await metaHas(user.wabaId, [user.phoneNumberId], [FOLLOW_UP(), template("back_soon", "Back soon")]);
    const res = await call(`/api/whatsapp/numbers/${user.phoneNumberId}/templates/sync`, {
      method: "POST",
      cookie: user.cookie,
    });
    expect(res.status).toBe(200);
    const synced = (await res.json()) as Page;
    expect(synced.templates.map((t) => t.name)).toEqual(["back_soon", "order_follow_up"]);
    expect(synced.syncError).toBeNull();
  });

  it("reads every page of a long list", async () => {
    const many = Array.from({ length: 130 }, (_, i) => template(`t_${String(i).padStart(3, "0")}`, "Hello"));
    const user = await numberWith(many);
    expect((await templatesOf(user.cookie, user.phoneNumberId)).templates).toHaveLength(130);
  });
});

describe("after the 24-hour window", () => {
  it("sends the fallback template with its parameters instead of asking the model", async () => {
    const user = await numberWith([FOLLOW_UP()], { model: "openai/gpt-4o-mini" });
    const saved = await setFallback(user.cookie, user.phoneNumberId, {
      name: "order_follow_up",
      language: "en_US",
      parameters: ["{{profile_name}}", "the bakery"],
    });
    expect(saved.status).toBe(200);
    const tag = marker("late");
    const { from, message } = await customerWrites(user, { ageMs: 25 * HOUR, body: `Still open? ${tag}` });
    const sent = await sentFrom(user.phoneNumberId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: from });
    expect((sent[0] as unknown as { body: unknown }).body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: from,
      type: "template",
      template: {
        name: "order_follow_up",
        language: { code: "en_US" },
        components: [
          {
            type: "body",
            parameters: [
              { type: "text", text: "Ana" },
              { type: "text", text: "the bakery" },
            ],
          },
        ],
      },
    });
    // No model call was made for a reply that could not be sent.
    expect(await received(openaiFake(), tag)).toEqual([]);
    const row = (await messageRow(user.accountId, message.id))!;
    expect(row.status).toBe("expired");
    expect(row.error).toMatch(/^outside_24h_window: .*fallback template order_follow_up sent$/);
    const out = (await messageRow(user.accountId, sent[0]!.id))!;
    expect(out).toMatchObject({
      direction: "out",
      type: "template",
      status: "accepted",
      related_id: message.id,
    });
    // Delivery moves on like any reply, and the expired conversation shows what went and how far it got.
    await deliverSigned(
      user.appSecret,
      notification(user.phoneNumberId, { statuses: [statusUpdate(sent[0]!.id, "delivered", from)] }),
    );
    const { expired } = await templatesOf(user.cookie, user.phoneNumberId);
    expect(expired).toEqual([
      expect.objectContaining({
        messageId: message.id,
        template: "order_follow_up (en_US)",
        deliveryStatus: "delivered",
      }),
    ]);
  });

  it("fills a named template's parameters by name, and an unknown profile name with the default", async () => {
    const user = await numberWith([template("welcome_back", "Welcome back {{first_name}}!")]);
    await setFallback(user.cookie, user.phoneNumberId, {
      name: "welcome_back",
      language: "en_US",
      parameters: ["{{profile_name}}"],
    });
    const from = customerNumber();
    const message = inboundMessage({ from, timestamp: Date.now() - 30 * HOUR });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [message] }));
    const [sent] = await sentFrom(user.phoneNumberId);
    const body = (sent as unknown as { body: { template: { components: unknown[] } } }).body;
    expect(body.template.components).toEqual([
      { type: "body", parameters: [{ type: "text", text: "there", parameter_name: "first_name" }] },
    ]);
  });

  it("sends the fallback when Graph refuses the free-form reply with 131047", async () => {
    const user = await numberWith([FOLLOW_UP()]);
    await setFallback(user.cookie, user.phoneNumberId, {
      name: "order_follow_up",
      language: "en_US",
      parameters: ["{{profile_name}}", "us"],
    });
    const from = customerNumber();
    await closeWindow(user.phoneNumberId, from);
    const { message } = await customerWrites(user, { from, name: "Bo" });
    const sent = await sentFrom(user.phoneNumberId);
    expect(sent.map((m) => m.text)).toEqual(["[template order_follow_up] Bo | us"]);
    const row = (await messageRow(user.accountId, message.id))!;
    expect(row.status).toBe("expired");
    expect(row.error).toContain("code 131047");
    expect(row.related_id).toBe(sent[0]!.id);
  });

  it("marks the message expired and sends nothing without a fallback", async () => {
    const user = await numberWith([FOLLOW_UP()]);
    const { message } = await customerWrites(user, { ageMs: 25 * HOUR });
    const from = customerNumber();
    await closeWindow(user.phoneNumberId, from);
    const refused = await customerWrites(user, { from });
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    for (const id of [message.id, refused.message.id]) {
      const row = (await messageRow(user.accountId, id))!;
      expect(row.status).toBe("expired");
      expect(row.error).not.toContain("fallback");
    }
    const { expired } = await templatesOf(user.cookie, user.phoneNumberId);
    expect(expired.map((x) => x.template)).toEqual([null, null]);
  });

  it("retries a fallback Graph could not take now, on the cron's clock", async () => {
    const user = await numberWith([FOLLOW_UP()]);
    await setFallback(user.cookie, user.phoneNumberId, {
      name: "order_follow_up",
      language: "en_US",
      parameters: ["a", "b"],
    });
    await scriptGraph(user.phoneNumberId, 503, 1);
    const { message } = await customerWrites(user, { ageMs: 25 * HOUR });
    expect((await messageRow(user.accountId, message.id))!.status).toBe("pending");
    await runCron(Date.now() + HOUR);
    expect((await sentFrom(user.phoneNumberId)).map((m) => m.text)).toEqual([
      "[template order_follow_up] a | b",
    ]);
    expect((await messageRow(user.accountId, message.id))!.status).toBe("expired");
  });
});

describe("Meta's notices about templates and numbers", () => {
  it("stops using a template Meta paused, and tells the business", async () => {
    const user = await numberWith([FOLLOW_UP()]);
    await setFallback(user.cookie, user.phoneNumberId, {
      name: "order_follow_up",
      language: "en_US",
      parameters: ["x", "y"],
    });
    const paused = { ...FOLLOW_UP(), status: "PAUSED" };
    await metaHas(user.wabaId, [user.phoneNumberId], [paused]);
    const notice = wabaNotice(user.wabaId, "message_template_status_update", {
      event: "PAUSED",
      message_template_id: Number(paused.id),
      message_template_name: "order_follow_up",
      message_template_language: "en_US",
      reason: "LOW_QUALITY",
    });
    const res = await deliverSigned(user.appSecret, notice);
    expect(await res.json()).toEqual({ received: true, outcome: "applied" });
    // Meta redelivers: recorded once.
    expect(await (await deliverSigned(user.appSecret, notice)).json()).toMatchObject({
      outcome: "duplicate",
    });
    const section = await templatesOf(user.cookie, user.phoneNumberId);
    expect(section.templates[0]).toMatchObject({ name: "order_follow_up", status: "PAUSED" });
    expect(section.fallback).toMatchObject({ name: "order_follow_up", active: false, status: "PAUSED" });
    expect(section.events).toEqual([
      expect.objectContaining({
        field: "message_template_status_update",
        event: "PAUSED",
        summary: "Template order_follow_up (en_US): PAUSED — LOW_QUALITY",
      }),
    ]);
    const { message } = await customerWrites(user, { ageMs: 25 * HOUR });
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    expect((await messageRow(user.accountId, message.id))!.error).not.toContain("fallback");
  });

  it("refuses a status notice signed with another app secret, and one for an unknown business account", async () => {
    const user = await numberWith([FOLLOW_UP()]);
    const notice = wabaNotice(user.wabaId, "message_template_status_update", {
      event: "DISABLED",
      message_template_name: "order_follow_up",
      message_template_language: "en_US",
    });
    expect((await deliverSigned("not-the-secret-0000000000000000", notice)).status).toBe(401);
    const stranger = wabaNotice(digits(15), "account_alerts", { alert_info: { alert_type: "X" } });
    expect((await deliverSigned(user.appSecret, stranger)).status).toBe(401);
    expect((await templatesOf(user.cookie, user.phoneNumberId)).templates[0]!.status).toBe("APPROVED");
  });

  it("records quality updates and account alerts on the number, shown on the dashboard", async () => {
    const user = await numberWith([]);
    await deliverSigned(
      user.appSecret,
      wabaNotice(user.wabaId, "phone_number_quality_update", {
        display_phone_number: "15550001111",
        event: "FLAGGED",
        current_limit: "TIER_1K",
      }),
    );
    await deliverSigned(
      user.appSecret,
      wabaNotice(user.wabaId, "account_alerts", {
        entity_type: "PHONE_NUMBER",
        entity_id: user.phoneNumberId,
        alert_info: {
          alert_severity: "WARNING",
          alert_status: "ACTIVE",
          alert_type: "OBA_DENIED",
          alert_description: "Official Business Account status was not approved.",
        },
      }),
    );
    const { events } = await templatesOf(user.cookie, user.phoneNumberId);
    expect(events.map((e) => [e.field, e.summary]).sort()).toEqual([
      ["account_alerts", "WARNING OBA_DENIED (ACTIVE): Official Business Account status was not approved."],
      ["phone_number_quality_update", "Number 15550001111: FLAGGED, limit TIER_1K"],
    ]);
    const loaded = await whatsappPage.loader(args(page("/dashboard/whatsapp", user.cookie)));
    const html = renderPage(whatsappPage.default, "/dashboard/whatsapp", loaded);
    expect(html).toContain("Number 15550001111: FLAGGED, limit TIER_1K");
    expect(html).toContain("OBA_DENIED");
  });
});

describe("the API's answers to bad input", () => {
  it("answers 400 in the API's error shape, 409 for a template not approved, 404 for another's number", async () => {
    const user = await numberWith([FOLLOW_UP(), template("promo", "20% off", "PENDING")]);
    const n = user.phoneNumberId;
    const wrongCount = await expectError(
      await setFallback(user.cookie, n, { name: "order_follow_up", language: "en_US", parameters: ["one"] }),
      400,
    );
    expect(wrongCount).toMatchObject({ code: "parameter_count", param: "parameters" });
    const badType = await expectError(await setFallback(user.cookie, n, { name: 5, parameters: [] }), 400);
    expect(badType.type).toBe("invalid_request_error");
    await expectError(await setFallback(user.cookie, n, { name: "order_follow_up" }), 400);
    const extra = await setFallback(user.cookie, n, { name: null, surprise: true });
    await expectError(extra, 400);
    const unknown = await expectError(
      await setFallback(user.cookie, n, { name: "nope", language: "en_US", parameters: [] }),
      400,
    );
    expect(unknown.code).toBe("template_not_found");
    const pending = await expectError(
      await setFallback(user.cookie, n, { name: "promo", language: "en_US", parameters: [] }),
      409,
    );
    expect(pending.code).toBe("template_not_approved");
    const stranger = await numberWith([]);
    await expectError(await call(`/api/whatsapp/numbers/${n}/templates`, { cookie: stranger.cookie }), 404);
    await expectError(await call("/api/whatsapp/numbers/abc/templates", { cookie: user.cookie }), 400);
    const anonymous = await call(`/api/whatsapp/numbers/${n}/templates`, {});
    expect(anonymous.status).toBe(401);
    // Removing the fallback.
    const removed = await setFallback(user.cookie, n, { name: null });
    expect(((await removed.json()) as Page).fallback).toBeNull();
  });
});

describe("the dashboard's templates section, as plain forms", () => {
  it("lists templates, syncs, saves a fallback with parameters, and shows expired conversations", async () => {
    const user = await numberWith([FOLLOW_UP()]);
    const path = `/dashboard/whatsapp?number=${user.phoneNumberId}`;
    await metaHas(user.wabaId, [user.phoneNumberId], [FOLLOW_UP(), template("later", "See you later")]);
    const act = async (fields: Record<string, string>) =>
      unwrap(
        await whatsappPage.action(
          args(post(path, { phoneNumberId: user.phoneNumberId, ...fields }, user.cookie)),
        ),
      );
    expect(await act({ intent: "sync-templates" })).toEqual({ synced: true });
    const bad = await act({ intent: "fallback", template: "order_follow_up|en_US", parameters: "only one" });
    expect(bad.status).toBe(400);
    expect(bad.error!.message).toContain("takes 2 body parameter(s); 1 given");
    const saved = await act({
      intent: "fallback",
      template: "order_follow_up|en_US",
      parameters: "{{profile_name}}\r\nthe bakery\r\n",
    });
    expect(saved).toEqual({ fallbackSaved: true });
    const { message } = await customerWrites(user, { ageMs: 26 * HOUR, name: "Cleo" });
    expect((await sentFrom(user.phoneNumberId)).map((m) => m.text)).toEqual([
      "[template order_follow_up] Cleo | the bakery",
    ]);
    const loaded = await whatsappPage.loader(args(page(path, user.cookie)));
    expect(loaded.templates!.templates.map((t) => t.name)).toEqual(["later", "order_follow_up"]);
    expect(loaded.templates!.expired.map((x) => x.messageId)).toEqual([message.id]);
    const html = renderPage(whatsappPage.default, path, loaded);
    expect(html).toContain('data-testid="whatsapp-template-list"');
    expect(html).toMatch(/<option value="order_follow_up\|en_US" selected="">/);
    expect(html).toContain("order_follow_up (en_US)");
    expect(html).toContain("{{profile_name}}\nthe bakery");
    expect(html).not.toContain('data-testid="fallback-inactive"');
  });
});

describe("two numbers on one account", () => {
  it("keeps each number's templates and fallback apart", async () => {
    const user = await numberWith([FOLLOW_UP()]);
    const secondWaba = digits(15);
    const second = digits(15);
    await metaHas(secondWaba, [second], [template("florist_hello", "Hello from the florist")]);
    const secondSecret = `s${digits(31)}`;
    const res = await call(`/api/whatsapp/numbers/${second}`, {
      method: "PUT",
      cookie: user.cookie,
      body: {
        wabaId: secondWaba,
        accessToken: `EAAG${digits(30)}`,
        appSecret: secondSecret,
        verifyToken: `verify-${digits(16)}`,
        model: "dev/echo",
        password: PASSWORD,
      },
    });
    expect(res.status).toBe(200);
    expect((await templatesOf(user.cookie, user.phoneNumberId)).templates.map((t) => t.name)).toEqual([
      "order_follow_up",
    ]);
    expect((await templatesOf(user.cookie, second)).templates.map((t) => t.name)).toEqual(["florist_hello"]);
    // A template of the other number cannot be chosen.
    const foreign = await setFallback(user.cookie, second, {
      name: "order_follow_up",
      language: "en_US",
      parameters: ["a", "b"],
    });
    expect((await expectError(foreign, 400)).code).toBe("template_not_found");
    await setFallback(user.cookie, second, { name: "florist_hello", language: "en_US", parameters: [] });
    // The first number has no fallback: nothing goes; the second sends its own template.
    await customerWrites(user, { ageMs: 25 * HOUR });
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    await customerWrites({ appSecret: secondSecret, phoneNumberId: second }, { ageMs: 25 * HOUR });
    expect((await sentFrom(second)).map((m) => m.text)).toEqual(["[template florist_hello] "]);
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
  });
});
