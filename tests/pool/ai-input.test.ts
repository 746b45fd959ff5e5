// Refused AI requests: each gets the one error shape with the right status, reaches no provider, meters nothing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectAnthropicError, marker, openaiFake, received } from "./ai-helpers";
import { call, expectError, newKeyUser, newUser } from "./helpers";

async function rowCount(accountId: string): Promise<number> {
  await env.ACCOUNT.getByName(accountId).flushUsage();
  const row = await env.DB.prepare("SELECT count(*) AS n FROM usage_events WHERE account_id = ?")
    .bind(accountId)
    .first<{ n: number }>();
  return row!.n;
}

const chatBody = (m: string, extra: Record<string, unknown> = {}) => ({
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: m }],
  ...extra,
});

describe("credentials", () => {
  it.each(["/v1/chat/completions", "/v1/embeddings", "/v1/responses"])(
    "%s refuses a missing key",
    async (path) => {
      const e = await expectError(await call(path, { body: chatBody("x") }), 401);
      expect(e.code).toBe("missing_api_key");
    },
  );

  it.each(["/v1/messages", "/v1/messages/count_tokens"])(
    "%s refuses a missing key in Anthropic's shape",
    async (path) => {
      const e = await expectAnthropicError(await call(path, { body: chatBody("x") }), 401);
      expect(e).toMatchObject({ type: "authentication_error", code: "missing_api_key" });
    },
  );

  it("refuses a wrong key and a revoked key", async () => {
    const m = marker();
    await expectError(await call("/v1/chat/completions", { key: "bm_nope", body: chatBody(m) }), 401);
    const { key, keyId, cookie } = await newKeyUser();
    expect((await call(`/api/keys/${keyId}`, { method: "DELETE", cookie })).status).toBe(204);
    await expectError(await call("/v1/chat/completions", { key, body: chatBody(m) }), 401);
    expect(await received(openaiFake(), m)).toHaveLength(0);
  });

  it("takes the Anthropic x-api-key header on /v1/messages", async () => {
    const { key } = await newKeyUser();
    const res = await call("/v1/messages", {
      headers: { "x-api-key": key },
      body: { model: "dev/echo", max_tokens: 10, messages: [{ role: "user", content: "hi" }] },
    });
    expect(res.status).toBe(200);
  });
});

describe("bad input", () => {
  const cases: [string, (m: string) => Parameters<typeof call>[1], number, string | null, string | null][] = [
    [
      "malformed JSON",
      () => ({ rawBody: "{nope", headers: { "content-type": "application/json" } }),
      400,
      "invalid_json",
      null,
    ],
    [
      "a non-JSON content type",
      (m) => ({ rawBody: m, headers: { "content-type": "text/plain" } }),
      415,
      null,
      null,
    ],
    [
      "missing messages",
      () => ({ body: { model: "openai/gpt-4o-mini" } }),
      400,
      "invalid_request",
      "messages",
    ],
    [
      "empty messages",
      () => ({ body: { model: "openai/gpt-4o-mini", messages: [] } }),
      400,
      null,
      "messages",
    ],
    [
      "messages of the wrong type",
      (m) => ({ body: { model: "openai/gpt-4o-mini", messages: m } }),
      400,
      null,
      "messages",
    ],
    [
      "a wrong role",
      (m) => ({ body: chatBody(m, { messages: [{ role: "boss", content: m }] }) }),
      400,
      null,
      "messages.0.role",
    ],
    [
      "a temperature of the wrong type",
      (m) => ({ body: chatBody(m, { temperature: "hot" }) }),
      400,
      null,
      "temperature",
    ],
    ["an unknown field", (m) => ({ body: chatBody(m, { turbo: true }) }), 400, null, null],
    [
      "an unknown model",
      (m) => ({ body: chatBody(m, { model: "openai/gpt-99" }) }),
      404,
      "model_not_found",
      "model",
    ],
    [
      "a model without a provider prefix",
      (m) => ({ body: chatBody(m, { model: "gpt-4o-mini" }) }),
      404,
      "model_not_found",
      "model",
    ],
    [
      "an embedding model for chat",
      (m) => ({ body: chatBody(m, { model: "openai/text-embedding-3-small" }) }),
      400,
      "model_not_supported",
      "model",
    ],
    [
      "max_tokens above the model's limit",
      (m) => ({ body: chatBody(m, { max_tokens: 1_000_000 }) }),
      400,
      "max_tokens_exceeded",
      "max_tokens",
    ],
    [
      "store: true (content kept at the provider)",
      (m) => ({ body: chatBody(m, { store: true }) }),
      400,
      null,
      "store",
    ],
  ];

  it.each(cases)("/v1/chat/completions refuses %s", async (_name, init, status, code, param) => {
    const { key, id } = await newKeyUser();
    const m = marker();
    const e = await expectError(await call("/v1/chat/completions", { key, ...init(m) }), status);
    if (code) expect(e.code).toBe(code);
    if (param) expect(e.param).toBe(param);
    expect(await received(openaiFake(), m)).toHaveLength(0);
    expect(await rowCount(id)).toBe(0);
  });

  it("refuses a body over the limit with 413", async () => {
    const { key, id } = await newKeyUser();
    const e = await expectError(
      await call("/v1/chat/completions", { key, body: chatBody("x".repeat(21 * 1024 * 1024)) }),
      413,
    );
    expect(e.code).toBe("body_too_large");
    expect(await rowCount(id)).toBe(0);
  });

  it("refuses a streaming request to the embeddings endpoint, which cannot stream", async () => {
    const { key } = await newKeyUser();
    const e = await expectError(
      await call("/v1/embeddings", {
        key,
        body: { model: "openai/text-embedding-3-small", input: "a", stream: true },
      }),
      400,
    );
    expect(e.param).toBe("stream");
  });

  it("refuses a Messages request without max_tokens", async () => {
    const { key } = await newKeyUser();
    const e = await expectAnthropicError(
      await call("/v1/messages", {
        key,
        body: { model: "dev/echo", messages: [{ role: "user", content: "hi" }] },
      }),
      400,
    );
    expect(e.param).toBe("max_tokens");
  });
});

describe("rate limit per key", () => {
  it("answers 429 with Retry-After past the key's requests per minute, without calling the provider", async () => {
    const { cookie, id } = await newUser();
    const created = await call("/api/keys", { body: { name: "slow", rateLimitRpm: 2 }, cookie });
    const { key } = (await created.json()) as { key: string };
    const m = marker();
    for (let i = 0; i < 2; i++) {
      expect((await call("/v1/chat/completions", { key, body: chatBody(m) })).status).toBe(200);
    }
    const res = await call("/v1/chat/completions", { key, body: chatBody(m) });
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await expectError(res, 429)).code).toBe("rate_limited");
    expect(await received(openaiFake(), m)).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await rowCount(id)).toBe(2);
  });
});

describe("gateway overhead", () => {
  it("reports its own overhead per request in a header", async () => {
    const { key } = await newKeyUser();
    const res = await call("/v1/chat/completions", { key, body: chatBody(marker()) });
    expect(res.headers.get("x-gateway-overhead-ms")).toMatch(/^\d+$/);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("documents the AI routes in the OpenAPI document", async () => {
    const doc = (await (await call("/api/openapi.json")).json()) as { paths: Record<string, unknown> };
    for (const p of ["/v1/models", "/v1/chat/completions", "/v1/messages", "/v1/embeddings", "/api/usage"]) {
      expect(doc.paths).toHaveProperty([p]);
    }
  });
});
