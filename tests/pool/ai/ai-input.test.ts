// Refused AI requests: each gets its dialect's error shape with the right status, reaches no provider, charges
// nothing, and (with a valid key) is recorded as a zero-cost usage row under its request id.
import { beforeAll, describe, expect, it } from "vitest";
import {
  anthropicFake,
  expectAnthropicError,
  marker,
  openaiFake,
  received,
  usageRowById,
  usageRows,
} from "../support/ai-helpers";
import { call, expectError, newKeyUser, newUser } from "../support/helpers";

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
    [
      "an unknown field to a model of another dialect",
      (m) => ({ body: chatBody(m, { model: "anthropic/claude-3-5-haiku-latest", turbo: true }) }),
      400,
      "untranslatable_parameter",
      "turbo",
    ],
    [
      "an unknown model",
      (m) => ({ body: chatBody(m, { model: "openai/gpt-99" }) }),
      404,
      "model_not_found",
      "model",
    ],
    [
      "a bare model name no model has (a bare name one model has resolves: models.test.ts)",
      (m) => ({ body: chatBody(m, { model: "gpt-99" }) }),
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

  // One account for every case (signups are throttled per address); rows are found by request id.
  let user: Awaited<ReturnType<typeof newKeyUser>>;
  beforeAll(async () => {
    user = await newKeyUser();
  });

  it.each(cases)("/v1/chat/completions refuses %s", async (_name, init, status, code, param) => {
    const { key, id } = user;
    const m = marker();
    const res = await call("/v1/chat/completions", { key, ...init(m) });
    const requestId = res.headers.get("x-request-id")!;
    const e = await expectError(res, status);
    if (code) expect(e.code).toBe(code);
    if (param) expect(e.param).toBe(param);
    expect(await received(openaiFake(), m)).toHaveLength(0);
    expect(await received(anthropicFake(), m)).toHaveLength(0);
    if (status === 415) {
      expect(await usageRowById(id, requestId, 200)).toBeUndefined();
      return;
    }
    // A refusal with a valid key is in the request log: its status and id, nothing used, nothing charged.
    expect(await usageRowById(id, requestId)).toMatchObject({
      id: requestId,
      status,
      input_tokens: 0,
      output_tokens: 0,
      cost_micros: 0,
      endpoint: "chat.completions",
    });
  });

  it("passes an unknown field through to a provider of the same dialect (forward-compatible)", async () => {
    const { key } = user;
    const m = marker();
    const res = await call("/v1/chat/completions", { key, body: chatBody(m, { turbo: { level: 2 } }) });
    expect(res.status).toBe(200);
    const [upstream] = await received(openaiFake(), m);
    expect(JSON.parse(upstream!.body).turbo).toEqual({ level: 2 });
  });

  it("answers 400 in the dialect's shape for JSON nested 5,000 levels deep, never 500", async () => {
    const { key } = user;
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const part = (m: string) => `[{"type":"text","text":"${m}","extra":${deep}}]`;
    const m = marker();
    const chat = await call("/v1/chat/completions", {
      key,
      rawBody: `{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":${part(m)}}]}`,
      headers: { "content-type": "application/json" },
    });
    expect((await expectError(chat, 400)).code).toBe("nesting_too_deep");
    const messages = await call("/v1/messages", {
      key,
      rawBody: `{"model":"anthropic/claude-3-5-haiku-latest","max_tokens":5,"messages":[{"role":"user","content":${part(m)}}]}`,
      headers: { "content-type": "application/json" },
    });
    expect((await expectAnthropicError(messages, 400)).code).toBe("nesting_too_deep");
    const count = await call("/v1/messages/count_tokens", {
      key,
      rawBody: `{"model":"dev/echo","messages":[{"role":"user","content":${part(m)}}]}`,
      headers: { "content-type": "application/json" },
    });
    expect((await expectAnthropicError(count, 400)).code).toBe("nesting_too_deep");
    const responses = await call("/v1/responses", {
      key,
      rawBody: `{"model":"openai/gpt-4o-mini","input":[{"role":"user","content":${part(m)}}]}`,
      headers: { "content-type": "application/json" },
    });
    expect((await expectError(responses, 400)).code).toBe("nesting_too_deep");
    expect(await received(openaiFake(), m)).toHaveLength(0);
    expect(await received(anthropicFake(), m)).toHaveLength(0);
  });

  it("refuses a body over the limit with 413, recorded as a refusal", async () => {
    const { key, id } = await newKeyUser();
    const e = await expectError(
      await call("/v1/chat/completions", { key, body: chatBody("x".repeat(21 * 1024 * 1024)) }),
      413,
    );
    expect(e.code).toBe("body_too_large");
    const rows = await usageRows(id, 1);
    expect(rows.map((r) => [r.status, r.cost_micros])).toEqual([[413, 0]]);
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
    const rows = await usageRows(id, 3);
    expect(rows.map((r) => r.status).sort()).toEqual([200, 200, 429]);
  });
});

describe("gateway overhead", () => {
  it("reports its own overhead per request in a header", async () => {
    const { key } = await newKeyUser();
    const res = await call("/v1/chat/completions", { key, body: chatBody(marker()) });
    expect(res.headers.get("x-gateway-overhead-ms")).toMatch(/^\d+$/);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends Server-Timing only to a client that asks for it, streamed or not", async () => {
    const { key } = await newKeyUser();
    const plain = await call("/v1/chat/completions", { key, body: chatBody(marker()) });
    await plain.arrayBuffer();
    expect(plain.headers.get("server-timing")).toBeNull();
    for (const stream of [false, true]) {
      const res = await call("/v1/chat/completions", {
        key,
        headers: { "x-server-timing": "1" },
        body: chatBody(marker(), stream ? { stream: true } : {}),
      });
      await res.arrayBuffer();
      // The key was cached by the first request; the credit came from the isolate's lease.
      expect(res.headers.get("server-timing")).toMatch(
        /^auth;dur=\d+;desc=cache, body;dur=\d+, credit;dur=\d+;desc=(lease|object), policy;desc=(cache|d1), upstream;dur=\d+, meter;desc=\d+\/\d+$/,
      );
    }
  });

  it("documents the AI routes in the OpenAPI document", async () => {
    const doc = (await (await call("/api/openapi.json")).json()) as { paths: Record<string, unknown> };
    for (const p of [
      "/v1/models",
      "/v1/chat/completions",
      "/v1/messages",
      "/v1/messages/count_tokens",
      "/v1/responses",
      "/v1/embeddings",
      "/api/usage",
    ]) {
      expect(doc.paths).toHaveProperty([p]);
    }
  });
});
