// /dashboard/provider-keys, its loader and actions called as React Router calls them and the page rendered: a key
// is stored only with the password (or a recent re-authentication), listed by its prefix and never echoed back,
// its fallback switched, and deleted; a form from another site is refused before any of it runs.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import * as providerKeys from "../../../app/routes/dashboard/provider-keys";
import { FAKE_CUSTOMER_OPENAI_KEY } from "../../fakes/openai";
import { call, expectError, newUser, ORIGIN, PASSWORD } from "../support/helpers";
import { renderPage } from "../support/render-page";
import { args, page, post, unwrap } from "../support/route-calls";

const PATH = "/dashboard/provider-keys";
const act = async (cookie: string, fields: Record<string, string>) =>
  unwrap(await providerKeys.action(args(post(PATH, fields, cookie))));
const load = (cookie: string) => providerKeys.loader(args(page(PATH, cookie)));
const store = (cookie: string, extra: Record<string, string> = {}) =>
  act(cookie, {
    intent: "save",
    provider: "openai",
    key: FAKE_CUSTOMER_OPENAI_KEY,
    allowPlatformFallback: "false",
    ...extra,
  });

const rendered = (loaderData: unknown, actionData?: unknown) =>
  renderPage(providerKeys.default, PATH, loaderData, actionData);

describe("provider keys page", () => {
  it("stores a key only with the password, shows its prefix and never the key", async () => {
    const { cookie, id } = await newUser();
    const refused = await store(cookie);
    expect(refused.status).toBe(401);
    expect(refused.error!.fields.password).toBeTruthy();
    expect(JSON.stringify(refused)).not.toContain(FAKE_CUSTOMER_OPENAI_KEY);
    expect((await load(cookie)).keys).toEqual([]);

    const wrong = await store(cookie, { password: "not the password" });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(wrong)).not.toContain(FAKE_CUSTOMER_OPENAI_KEY);

    const saved = await store(cookie, { password: PASSWORD, allowPlatformFallback: "true" });
    expect(saved).toMatchObject({ done: "saved", provider: "openai" });
    expect(JSON.stringify(saved)).not.toContain(FAKE_CUSTOMER_OPENAI_KEY);
    const data = await load(cookie);
    expect(data.keys).toMatchObject([
      {
        provider: "openai",
        prefix: `${FAKE_CUSTOMER_OPENAI_KEY.slice(0, 10)}…`,
        allowPlatformFallback: true,
      },
    ]);
    const row = await env.DB.prepare("SELECT sealed_key FROM provider_keys WHERE account_id = ?")
      .bind(id)
      .first<{ sealed_key: string }>();
    expect(row!.sealed_key).not.toContain(FAKE_CUSTOMER_OPENAI_KEY);

    const html = rendered(data, saved);
    expect(html).toContain(`${FAKE_CUSTOMER_OPENAI_KEY.slice(0, 10)}…`);
    expect(html).not.toContain(FAKE_CUSTOMER_OPENAI_KEY);
    expect(html).toContain("is stored");
    expect(html).toContain("Platform key (list price)");
  });

  it("switches the fallback and deletes the key", async () => {
    const { cookie } = await newUser();
    await store(cookie, { password: PASSWORD });
    expect((await load(cookie)).keys[0]!.allowPlatformFallback).toBe(false);
    expect(
      await act(cookie, { intent: "fallback", provider: "openai", allowPlatformFallback: "true" }),
    ).toEqual({ done: "fallback", provider: "openai" });
    expect((await load(cookie)).keys[0]!.allowPlatformFallback).toBe(true);
    expect(await act(cookie, { intent: "delete", provider: "openai" })).toEqual({
      done: "deleted",
      provider: "openai",
    });
    const data = await load(cookie);
    expect(data.keys).toEqual([]);
    expect(rendered(data)).toContain("No keys stored");
    // Deleting what is not there: 404 beside nothing, not an error page.
    expect((await act(cookie, { intent: "delete", provider: "openai" })).status).toBe(404);
    expect(
      (await act(cookie, { intent: "fallback", provider: "openai", allowPlatformFallback: "true" })).status,
    ).toBe(404);
  });

  it("refuses a bad form beside its fields and keeps no key in what it sends back", async () => {
    const { cookie } = await newUser();
    const bad = await store(cookie, { provider: "dev", key: "short key", password: PASSWORD });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.error!.fields).sort()).toEqual(["key", "provider"]);
    expect(bad.values).not.toHaveProperty("key");
    expect(bad.values).not.toHaveProperty("password");
  });

  it("the password field is optional right after a re-authentication", async () => {
    const { cookie } = await newUser();
    expect((await call("/api/auth/reauth", { cookie, body: { password: PASSWORD } })).status).toBe(204);
    const data = await load(cookie);
    expect(data.recentlyReauthenticated).toBe(true);
    expect(await store(cookie)).toMatchObject({ done: "saved" });
    expect(rendered(data)).toContain("Not needed: you re-authenticated");
  });

  it("a form posted from another site is refused before it is read (CSRF)", async () => {
    const { cookie } = await newUser();
    const res = await call(PATH, {
      method: "POST",
      cookie,
      origin: "https://evil.example",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      rawBody: new URLSearchParams({ intent: "delete", provider: "openai" }).toString(),
    });
    expect((await expectError(res, 403)).code).toBe("csrf_origin_mismatch");
  });

  it("without a session, sends to the login page", async () => {
    const thrown = await providerKeys.loader(args(page(PATH))).catch((e: unknown) => e);
    expect((thrown as Response).headers.get("location")).toBe(`/login?next=${encodeURIComponent(PATH)}`);
    expect(ORIGIN).toBeTruthy();
  });
});

describe("PATCH /api/provider-keys/{provider}", () => {
  it("switches the fallback without the key or the password, and is a 404 with no key stored", async () => {
    const { cookie } = await newUser();
    const patch = (allow: boolean) =>
      call("/api/provider-keys/openai", { method: "PATCH", cookie, body: { allowPlatformFallback: allow } });
    await expectError(await patch(true), 404);
    await store(cookie, { password: PASSWORD });
    const res = await patch(true);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(FAKE_CUSTOMER_OPENAI_KEY);
    expect(JSON.parse(text)).toMatchObject({ provider: "openai", allowPlatformFallback: true });
    expect((await load(cookie)).keys[0]!.allowPlatformFallback).toBe(true);
  });
});
