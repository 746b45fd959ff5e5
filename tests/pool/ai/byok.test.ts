// Bring your own key: a customer's key for a provider is stored sealed (the raw row holds no key), shown by its
// prefix only, used for that provider's requests (billed at the platform fee), refused keys answered with 424
// byok_key_rejected in each dialect's shape (never silently replaced by the platform's key unless allowed), and
// gone when deleted.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { holders } from "#worker/privacy/holders";
import { withPlatformFee } from "#worker/provider-keys/fee";
import { FAKE_CUSTOMER_ANTHROPIC_KEY } from "../../fakes/anthropic";
import { FAKE_CUSTOMER_OPENAI_KEY, FAKE_OPENAI_KEY } from "../../fakes/openai";
import {
  anthropicFake,
  expectAnthropicError,
  marker,
  openaiFake,
  received,
  usageRows,
} from "../support/ai-helpers";
import { call, expectError, newKeyUser, PASSWORD } from "../support/helpers";

type User = Awaited<ReturnType<typeof newKeyUser>>;

const putKey = (user: User, provider: string, body: Record<string, unknown>) =>
  call(`/api/provider-keys/${provider}`, { method: "PUT", cookie: user.cookie, body });

const chat = (key: string, text: string) =>
  call("/v1/chat/completions", {
    key,
    body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: text }] },
  });

describe("storing a provider key", () => {
  it("needs sudo, answers its prefix only, and keeps no key in the raw row", async () => {
    const user = await newKeyUser();
    await expectError(await putKey(user, "openai", { key: FAKE_CUSTOMER_OPENAI_KEY }), 401);
    const res = await putKey(user, "openai", { key: FAKE_CUSTOMER_OPENAI_KEY, password: PASSWORD });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(FAKE_CUSTOMER_OPENAI_KEY);
    expect(JSON.parse(text)).toMatchObject({
      provider: "openai",
      prefix: `${FAKE_CUSTOMER_OPENAI_KEY.slice(0, 10)}…`,
      allowPlatformFallback: false,
    });
    const list = await call("/api/provider-keys", { cookie: user.cookie });
    expect(((await list.json()) as { provider: string }[]).map((k) => k.provider)).toEqual(["openai"]);
    const raw = await env.DB.prepare("SELECT * FROM provider_keys WHERE account_id = ?")
      .bind(user.id)
      .first<Record<string, unknown>>();
    expect(JSON.stringify(raw)).not.toContain(FAKE_CUSTOMER_OPENAI_KEY);
    expect(JSON.stringify(raw)).not.toContain(FAKE_CUSTOMER_OPENAI_KEY.slice(10));
    expect(String(raw!.sealed_key)).toMatch(/^w2\.\d+\./);
    // The export and the records of processing name the table without the sealed key.
    const holder = holders.find((h) => h.name === "provider_keys") as unknown as { columns?: string[] };
    expect(holder).toBeDefined();
    expect(JSON.stringify(holder)).not.toContain("sealed_key");
  });

  it("refuses a provider it cannot bring a key for, and bad input", async () => {
    const user = await newKeyUser();
    await expectError(await putKey(user, "dev", { key: "whatever-key", password: PASSWORD }), 400);
    await expectError(await putKey(user, "openai", { key: "short", password: PASSWORD }), 400);
  });
});

describe("requests with the customer's key", () => {
  it("go to the provider with it and are billed at the platform fee", async () => {
    const user = await newKeyUser();
    const plain = await newKeyUser();
    await putKey(user, "openai", { key: FAKE_CUSTOMER_OPENAI_KEY, password: PASSWORD });
    const m = marker("byok");
    expect((await chat(user.key, m)).status).toBe(200);
    const [sent] = await received(openaiFake(), m);
    expect(sent!.headers.authorization).toBe(`Bearer ${FAKE_CUSTOMER_OPENAI_KEY}`);
    // The same request with the platform's key (the same text, so the same tokens), for its list price.
    expect((await chat(plain.key, m)).status).toBe(200);
    const [own] = await usageRows(user.id, 1);
    const [list] = await usageRows(plain.id, 1);
    expect(own!.input_tokens).toBe(list!.input_tokens);
    expect(list!.cost_micros).toBeGreaterThan(0);
    // BYOK_PLATFORM_FEE_PERCENT is 10 in the tests.
    expect(own!.cost_micros).toBe(withPlatformFee(list!.cost_micros, 1_000));
    expect(own!.cost_micros).toBeLessThan(list!.cost_micros);
  });

  it("a refused key is a 424 in OpenAI's shape; the platform's key is not tried", async () => {
    const user = await newKeyUser();
    await putKey(user, "openai", { key: "sk-customer-revoked-0001", password: PASSWORD });
    const m = marker("rejected");
    const e = await expectError(await chat(user.key, m), 424);
    expect(e.code).toBe("byok_key_rejected");
    expect(e.message).not.toContain("sk-customer-revoked-0001");
    const sent = await received(openaiFake(), m);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => r.headers.authorization !== `Bearer ${FAKE_OPENAI_KEY}`)).toBe(true);
    const [row] = await usageRows(user.id, 1);
    expect(row).toMatchObject({ status: 424, cost_micros: 0 });
  });

  it("a refused key is a 424 in Anthropic's shape on /v1/messages", async () => {
    const user = await newKeyUser();
    await putKey(user, "anthropic", { key: "sk-ant-customer-revoked", password: PASSWORD });
    const m = marker("rejected-ant");
    const res = await call("/v1/messages", {
      key: user.key,
      body: { model: "anthropic/claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user", content: m }] },
    });
    const e = await expectAnthropicError(res, 424);
    expect(e.code).toBe("byok_key_rejected");
    // And a good one is used.
    await putKey(user, "anthropic", { key: FAKE_CUSTOMER_ANTHROPIC_KEY, password: PASSWORD });
    const ok = marker("ok-ant");
    const answered = await call("/v1/messages", {
      key: user.key,
      body: {
        model: "anthropic/claude-haiku-4-5",
        max_tokens: 16,
        messages: [{ role: "user", content: ok }],
      },
    });
    expect(answered.status).toBe(200);
    const [sent] = await received(anthropicFake(), ok);
    expect(sent!.headers["x-api-key"]).toBe(FAKE_CUSTOMER_ANTHROPIC_KEY);
  });

  it("falls back to the platform's key only when the customer allowed it, billed at list price", async () => {
    const user = await newKeyUser();
    await putKey(user, "openai", {
      key: "sk-customer-revoked-0002",
      allowPlatformFallback: true,
      password: PASSWORD,
    });
    const m = marker("allowed");
    expect((await chat(user.key, m)).status).toBe(200);
    const sent = await received(openaiFake(), m);
    expect(sent.at(-1)!.headers.authorization).toBe(`Bearer ${FAKE_OPENAI_KEY}`);
    const [row] = await usageRows(user.id, 1);
    expect(row!.status).toBe(200);
    expect(row!.cost_micros).toBeGreaterThan(0);
  });

  it("a deleted key is gone at once: the platform's key answers again", async () => {
    const user = await newKeyUser();
    await putKey(user, "openai", { key: FAKE_CUSTOMER_OPENAI_KEY, password: PASSWORD });
    expect((await chat(user.key, marker("before"))).status).toBe(200);
    const del = await call("/api/provider-keys/openai", { method: "DELETE", cookie: user.cookie });
    expect(del.status).toBe(204);
    const raw = await env.DB.prepare("SELECT COUNT(*) AS n FROM provider_keys WHERE account_id = ?")
      .bind(user.id)
      .first<{ n: number }>();
    expect(raw!.n).toBe(0);
    const m = marker("after");
    expect((await chat(user.key, m)).status).toBe(200);
    const [sent] = await received(openaiFake(), m);
    expect(sent!.headers.authorization).toBe(`Bearer ${FAKE_OPENAI_KEY}`);
    await expectError(
      await call("/api/provider-keys/openai", { method: "DELETE", cookie: user.cookie }),
      404,
    );
  });
});
