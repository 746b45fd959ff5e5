// The billing, usage and settings pages' loaders and actions as React Router calls them (a real Request with
// the session cookie, the workerd env in the load context): what they show, what a bad form keeps, and the
// way to the login page without a session.
import { describe, expect, it } from "vitest";
import * as billing from "../../../app/routes/dashboard/billing";
import * as requests from "../../../app/routes/dashboard/requests";
import * as settings from "../../../app/routes/dashboard/settings";
import * as usage from "../../../app/routes/dashboard/usage";
import { usageRows } from "../support/ai-helpers";
import { call, newKeyUser, newUser, newVerifiedUser } from "../support/helpers";
import { args, page, post, unwrap } from "../support/route-calls";

/** What a loader or action throws without a session: a redirect to the login page that comes back. */
async function toLogin(run: Promise<unknown>, path: string) {
  const thrown = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(Response);
  const res = thrown as Response;
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe(`/login?next=${encodeURIComponent(path)}`);
}

describe("billing page", () => {
  it("subscribing sends the browser on to Stripe's hosted checkout", async () => {
    const { cookie } = await newUser();
    const done = unwrap(
      await billing.action(args(post("/dashboard/billing", { intent: "subscribe", plan: "pro" }, cookie))),
    );
    expect(typeof done.redirectTo).toBe("string");
    expect(new URL(done.redirectTo as string).protocol).toMatch(/^https?:$/);
  });

  it("a bad top-up is refused beside its field and keeps what was typed", async () => {
    const { cookie } = await newUser();
    const bad = unwrap(
      await billing.action(args(post("/dashboard/billing", { intent: "topup", dollars: "12.345" }, cookie))),
    ) as { error: { fields: Record<string, string> }; values: Record<string, string>; status?: number };
    expect(bad.status).toBe(400);
    expect(bad.error.fields.dollars).toBe("Use whole cents.");
    expect(bad.values).toMatchObject({ intent: "topup", dollars: "12.345" });
  });

  it("without a session, the loader and the action send to the login page", async () => {
    await toLogin(billing.loader(args(page("/dashboard/billing"))), "/dashboard/billing");
    await toLogin(
      billing.action(args(post("/dashboard/billing", { intent: "portal" }))),
      "/dashboard/billing",
    );
  });
});

describe("request log page", () => {
  it("a refusal without a model is no model to filter by; rows in one minute read with seconds", async () => {
    const { cookie, key, id } = await newKeyUser();
    for (const body of [
      { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hello" }] },
      { messages: [{ role: "user", content: "no model" }] },
    ]) {
      const res = await call("/v1/chat/completions", { key, body });
      await res.text();
    }
    await usageRows(id, 2);
    const loaded = await requests.loader(args(page("/dashboard/requests", cookie)));
    expect(loaded.page.data.map((r) => r.model).sort()).toEqual(["", "openai/gpt-4o-mini"]);
    expect(loaded.models).toEqual(["openai/gpt-4o-mini"]);
    expect(loaded.seconds).toBe(
      new Set(loaded.page.data.map((r) => r.createdAt.slice(0, 16))).size < loaded.page.data.length,
    );
  });

  it("searching by a request id opens its detail", async () => {
    const { cookie } = await newUser();
    const thrown = await requests.loader(args(page("/dashboard/requests?id=+abc-123+", cookie))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).headers.get("location")).toBe("/dashboard/requests/abc-123");
  });
});

describe("usage page", () => {
  it("shows a request made a moment ago, by model and by key, in an even series", async () => {
    const { cookie, key, keyId, id } = await newKeyUser();
    const res = await call("/v1/chat/completions", {
      key,
      body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hello" }] },
    });
    expect(res.status).toBe(200);
    await res.text();
    await usageRows(id, 1); // metered once the answer is out
    const loaded = await usage.loader(args(page("/dashboard/usage?range=24h", cookie)));
    expect(loaded).toMatchObject({ range: "24h", hourly: true });
    expect(loaded.series).toHaveLength(24);
    expect(loaded.series.reduce((n, p) => n + p.requests, 0)).toBe(1);
    expect(loaded.byModel).toEqual([expect.objectContaining({ group: "openai/gpt-4o-mini", requests: 1 })]);
    expect(loaded.byKey).toEqual([expect.objectContaining({ group: keyId, requests: 1 })]);
  });

  it("an unknown range falls back to 30 days, daily", async () => {
    const { cookie } = await newUser();
    const loaded = await usage.loader(args(page("/dashboard/usage?range=forever", cookie)));
    expect(loaded).toMatchObject({ range: "30d", hourly: false, byModel: [], byKey: [] });
    expect(loaded.series).toHaveLength(30);
  });

  it("without a session, the loader sends to the login page", async () => {
    await toLogin(usage.loader(args(page("/dashboard/usage?range=7d"))), "/dashboard/usage?range=7d");
  });
});

describe("settings page", () => {
  it("saves the training choice, and the loader shows it with its history", async () => {
    const { cookie } = await newVerifiedUser();
    const saved = unwrap(
      await settings.action(
        args(post("/dashboard/settings", { intent: "consent", trainingConsent: "true" }, cookie)),
      ),
    );
    expect(saved).toEqual({ saved: "consent" });
    const loaded = await settings.loader(args(page("/dashboard/settings", cookie)));
    expect(loaded.settings.trainingConsent).toBe(true);
    expect(loaded.history[0]).toMatchObject({ setting: "trainingConsent", newValue: true });
  });

  it("a bad form changes nothing and keeps what was typed", async () => {
    const { cookie } = await newUser();
    const before = await settings.loader(args(page("/dashboard/settings", cookie)));
    const fields = { intent: "save", contentLogging: "true", retentionDays: "5", notices: "false" };
    const bad = unwrap(await settings.action(args(post("/dashboard/settings", fields, cookie)))) as {
      error: { fields: Record<string, string> };
      values: Record<string, string>;
      status?: number;
    };
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.error.fields)).toEqual(["retentionDays"]);
    expect(bad.values).toMatchObject(fields);
    const after = await settings.loader(args(page("/dashboard/settings", cookie)));
    expect(after.settings).toEqual(before.settings);
  });

  it("without a session, the loader and the action send to the login page", async () => {
    await toLogin(settings.loader(args(page("/dashboard/settings"))), "/dashboard/settings");
    await toLogin(
      settings.action(args(post("/dashboard/settings", { intent: "save", notices: "true" }))),
      "/dashboard/settings",
    );
  });
});
