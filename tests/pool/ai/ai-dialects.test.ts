// Errors in each route's dialect and request ids on every /v1 answer: Anthropic routes answer Anthropic's shape
// with `request-id`, OpenAI routes the one shape; both carry `x-request-id`, the id of the usage row.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { expectAnthropicError, marker, usageRowById, usageRows } from "../support/ai-helpers";
import { setBalance } from "../support/billing-helpers";
import { call, expectError, newKeyUser } from "../support/helpers";
import { anthropic, openai } from "../support/sdk-clients";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("Anthropic routes answer Anthropic's error shape", () => {
  it.each([
    ["a bad key", 401, "authentication_error", { key: "bm_nope", body: { model: "dev/echo" } }],
    ["a missing field", 400, "invalid_request_error", { body: { model: "dev/echo", messages: [] } }],
    [
      "an unknown model",
      404,
      "not_found_error",
      { body: { model: "nope/x", max_tokens: 5, messages: [{ role: "user", content: "hi" }] } },
    ],
  ] as const)("%s → %i %s", async (_name, status, type, init) => {
    const { key } = await newKeyUser();
    const res = await call("/v1/messages", { key, ...init });
    const e = await expectAnthropicError(res, status);
    expect(e.type).toBe(type);
    expect(res.headers.get("x-request-id")).toMatch(UUID);
  });

  it("out of credit is 402 billing_error, recorded as a refusal under its request id", async () => {
    const { key, id } = await newKeyUser();
    await setBalance(id, 0);
    const res = await call("/v1/messages", {
      key,
      body: { model: "dev/echo", max_tokens: 5, messages: [{ role: "user", content: marker() }] },
    });
    const requestId = res.headers.get("request-id")!;
    expect(await expectAnthropicError(res, 402)).toMatchObject({
      type: "billing_error",
      code: "insufficient_credit",
    });
    expect(await usageRowById(id, requestId)).toMatchObject({
      status: 402,
      endpoint: "messages",
      model: "dev/echo",
      cost_micros: 0,
    });
  });

  it("malformed JSON and a wrong content type keep their statuses", async () => {
    const { key } = await newKeyUser();
    const bad = await call("/v1/messages", {
      key,
      rawBody: "{nope",
      headers: { "content-type": "application/json" },
    });
    expect((await expectAnthropicError(bad, 400)).code).toBe("invalid_json");
    const text = await call("/v1/messages", { key, rawBody: "x", headers: { "content-type": "text/plain" } });
    expect((await expectAnthropicError(text, 415)).type).toBe("invalid_request_error");
  });

  it("the Anthropic SDK's error classes read our message, type and request id", async () => {
    const bad = anthropic("bm_nope");
    const error = await bad.messages
      .create({ model: "dev/echo", max_tokens: 5, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    const auth = error as InstanceType<typeof Anthropic.AuthenticationError>;
    expect(auth.status).toBe(401);
    expect(auth.message).toContain("Invalid API key.");
    expect(auth.requestID).toMatch(UUID);
    expect(auth.error).toMatchObject({ type: "error", error: { type: "authentication_error" } });

    const { key } = await newKeyUser();
    const missing = await anthropic(key)
      .messages.create({ model: "nope/x", max_tokens: 5, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect((missing as Error).message).toContain("does not exist");
  });

  it("a successful Anthropic answer carries request-id, which the SDK exposes", async () => {
    const { key, id } = await newKeyUser();
    const { data, request_id } = await anthropic(key)
      .messages.create({ model: "dev/echo", max_tokens: 20, messages: [{ role: "user", content: marker() }] })
      .withResponse();
    expect(data.type).toBe("message");
    expect(request_id).toMatch(UUID);
    const [row] = await usageRows(id, 1);
    expect(row!.id).toBe(request_id);
  });
});

describe("OpenAI routes keep the one shape, with x-request-id", () => {
  it("an error carries x-request-id, which the openai SDK reads as requestID", async () => {
    const error = await openai("bm_nope")
      .chat.completions.create({ model: "dev/echo", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.APIError>).requestID).toMatch(UUID);
    const res = await call("/v1/chat/completions", { key: "bm_nope", body: {} });
    expect(res.headers.get("request-id")).toBeNull();
    await expectError(res, 401);
  });

  it("a success's x-request-id is the usage row's id", async () => {
    const { key, id } = await newKeyUser();
    const { response } = await openai(key)
      .chat.completions.create({ model: "dev/echo", messages: [{ role: "user", content: marker() }] })
      .withResponse();
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toMatch(UUID);
    const [row] = await usageRows(id, 1);
    expect(row!.id).toBe(requestId);
  });

  it("every /v1 answer has an id, unknown routes and the model list included", async () => {
    const { key } = await newKeyUser();
    for (const res of [
      await call("/v1/models", { key }),
      await call("/v1/nope", { key }),
      await call("/v1/models"),
    ]) {
      expect(res.headers.get("x-request-id")).toMatch(UUID);
    }
  });
});
