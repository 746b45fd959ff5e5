// Ids users already have: models.retrieve with ids containing "/", bare names that name one model, a 404 that
// suggests the id meant, retired ids refused with their successor, and old ids kept as aliases.
import { NotFoundError } from "openai";
import { describe, expect, it } from "vitest";
import { expectAnthropicError, usageRows } from "../support/ai-helpers";
import { call, expectError, newKeyUser } from "../support/helpers";
import { openai } from "../support/sdk-clients";

describe("GET /v1/models/{id}", () => {
  it("answers the OpenAI SDK's models.retrieve for an id with a slash", async () => {
    const { key } = await newKeyUser();
    const model = (await openai(key).models.retrieve("openai/gpt-4o-mini")) as unknown as Record<
      string,
      unknown
    >;
    expect(model).toMatchObject({
      id: "openai/gpt-4o-mini",
      object: "model",
      pricing: { input: 0.15, input_cache_read: 0.075 },
      data_policy: { trains_on_data: false },
    });
  });

  it("resolves a bare name that one model has", async () => {
    const { key } = await newKeyUser();
    const res = await call("/v1/models/claude-sonnet-4-5", { key });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe("anthropic/claude-sonnet-4-5");
  });

  it("404s an unknown id in OpenAI's shape, suggesting the id meant", async () => {
    const { key } = await newKeyUser();
    const e = await expectError(await call("/v1/models/openai/gpt-4o-mimi", { key }), 404);
    expect(e.code).toBe("model_not_found");
    expect(e.message).toContain("Did you mean 'openai/gpt-4o-mini'?");
    await expect(openai(key).models.retrieve("openai/nothing-like-it")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("needs an API key", async () => {
    expect((await call("/v1/models/openai/gpt-4o-mini")).status).toBe(401);
  });
});

describe("model ids in requests", () => {
  it("a bare name that one model has is that model: answered, named and metered as it", async () => {
    const { key, id } = await newKeyUser();
    const res = await openai(key).chat.completions.create({
      model: "echo",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.model).toBe("dev/echo");
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({ model: "dev/echo", status: 200 });
  });

  it("a bare name no model has is a 404 suggesting the nearest ids (both dialects)", async () => {
    const { key } = await newKeyUser();
    const chat = await call("/v1/chat/completions", {
      key,
      body: { model: "gpt-4o-mni", messages: [{ role: "user", content: "hi" }] },
    });
    const e = await expectError(chat, 404);
    expect(e.message).toContain("'openai/gpt-4o-mini'");
    const messages = await call("/v1/messages", {
      key,
      body: { model: "claude-haiku-4-6", max_tokens: 5, messages: [{ role: "user", content: "hi" }] },
    });
    expect((await expectAnthropicError(messages, 404)).message).toContain("'anthropic/claude-haiku-4-5'");
  });

  it("a retired id is refused with its successor, and nothing is metered as served", async () => {
    const { key } = await newKeyUser();
    const res = await call("/v1/chat/completions", {
      key,
      body: { model: "anthropic/claude-3-5-sonnet-latest", messages: [{ role: "user", content: "hi" }] },
    });
    const e = await expectError(res, 404);
    expect(e.code).toBe("model_deprecated");
    expect(e.message).toContain("use 'anthropic/claude-sonnet-4-5'");
  });

  it("an old id kept as an alias answers under the id sent, at its successor's prices", async () => {
    const { key } = await newKeyUser();
    const res = await call("/v1/models/anthropic/claude-3-5-haiku-latest", { key });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: "anthropic/claude-3-5-haiku-latest",
      pricing: { input: 1, output: 5, input_cache_read: 0.1, input_cache_write: 1.25 },
    });
  });
});
