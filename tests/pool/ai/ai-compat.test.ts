// Cross-dialect details through the official SDKs: count_tokens, structured output both ways, honest translated
// streams (input estimate in message_start, stop sequences), the model id in every answer, provider error bodies
// never passed through verbatim, and /v1/models with limits and prices.
import type Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import {
  anthropicFake,
  expectAnthropicError,
  marker,
  openaiFake,
  received,
  script,
  usageRows,
} from "../support/ai-helpers";
import { expectConsoleError } from "../support/console-errors";
import { call, expectError, newKeyUser, newUser } from "../support/helpers";
import { anthropic, openai } from "../support/sdk-clients";

const citySchema = {
  type: "object",
  properties: { city: { type: "string" }, population: { type: "integer" } },
  required: ["city", "population"],
  additionalProperties: false,
};

describe("POST /v1/messages/count_tokens", () => {
  it("is exact for an Anthropic model (the provider's count), through the SDK's countTokens", async () => {
    const { key, id } = await newKeyUser();
    const m = marker();
    const messages = [{ role: "user" as const, content: m }];
    const counted = await anthropic(key).messages.countTokens({
      model: "anthropic/claude-3-5-haiku-latest",
      system: "Be brief.",
      messages,
    });
    const [upstream] = await received(anthropicFake(), m);
    expect(upstream!.path).toBe("/v1/messages/count_tokens");
    const sent = JSON.parse(upstream!.body);
    expect(sent.model).toBe("claude-haiku-4-5"); // the retired id is an alias of its successor
    // The fake counts 3 + its prompt count + 5 for a system prompt.
    expect(counted.input_tokens).toBe(3 + 7 + (JSON.stringify(messages).length % 50) + 5);
    // Not billed: no usage row, no credit moved.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await usageRows(id, 0, 0)).toHaveLength(0);
  });

  it("is OpenAI's tokenizer for OpenAI models: the count the provider then reports", async () => {
    const { key, id } = await newKeyUser();
    const body = {
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: `${marker()} ${"x".repeat(396)}` }],
    };
    const res = await call("/v1/messages/count_tokens", { key, body });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-token-count")).toBe("exact");
    const { input_tokens } = (await res.json()) as { input_tokens: number };
    expect((await call("/v1/messages", { key, body: { ...body, max_tokens: 5 } })).status).toBe(200);
    const [row] = await usageRows(id, 1);
    expect(input_tokens).toBe(row!.input_tokens);
  });

  it("is rate-limited like the rest, in Anthropic's error shape", async () => {
    const { cookie } = await newUser();
    const created = await call("/api/keys", { body: { name: "slow", rateLimitRpm: 1 }, cookie });
    const { key } = (await created.json()) as { key: string };
    const body = { model: "dev/echo", messages: [{ role: "user", content: "hi" }] };
    expect((await call("/v1/messages/count_tokens", { key, body })).status).toBe(200);
    const limited = await call("/v1/messages/count_tokens", { key, body });
    expect(limited.headers.get("retry-after")).toBeTruthy();
    expect((await expectAnthropicError(limited, 429)).type).toBe("rate_limit_error");
  });
});

describe("structured output across dialects", () => {
  it("response_format json_schema → output_config for an Anthropic model that supports it", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    const res = await openai(key).chat.completions.create({
      model: "anthropic/claude-haiku-4-5",
      messages: [{ role: "user", content: m }],
      response_format: { type: "json_schema", json_schema: { name: "city", schema: citySchema } },
    });
    expect(JSON.parse(res.choices[0]!.message.content!)).toEqual({ city: "sample", population: 42 });
    const [upstream] = await received(anthropicFake(), m);
    const sent = JSON.parse(upstream!.body);
    expect(sent.output_config).toEqual({ format: { type: "json_schema", schema: citySchema } });
    expect(sent.tools).toBeUndefined();
  });

  it("response_format json_schema → a forced tool for an older Anthropic model, answered as JSON text (streamed too)", async () => {
    const { key } = await newKeyUser();
    const client = openai(key);
    const format = { type: "json_schema" as const, json_schema: { name: "city", schema: citySchema } };
    const whole = await client.chat.completions.create({
      model: "anthropic/claude-sonnet-4-0",
      messages: [{ role: "user", content: marker() }],
      response_format: format,
    });
    expect(whole.choices[0]!.finish_reason).toBe("stop");
    expect(whole.choices[0]!.message.tool_calls).toBeUndefined();
    expect(JSON.parse(whole.choices[0]!.message.content!)).toEqual({ city: "sample", population: 42 });
    const stream = await client.chat.completions.create({
      model: "anthropic/claude-sonnet-4-0",
      messages: [{ role: "user", content: marker() }],
      response_format: { type: "json_object" },
      stream: true,
    });
    let text = "";
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish ??= chunk.choices[0]?.finish_reason;
      expect(chunk.choices[0]?.delta.tool_calls).toBeUndefined();
    }
    expect(JSON.parse(text)).toEqual({});
    expect(finish).toBe("stop");
  });

  it("Anthropic's output_config passes through to an Anthropic model", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    const msg = await anthropic(key).messages.create({
      model: "anthropic/claude-sonnet-4-5",
      max_tokens: 100,
      messages: [{ role: "user", content: m }],
      output_config: { format: { type: "json_schema", schema: citySchema } },
    });
    expect(msg.content[0]).toMatchObject({ type: "text" });
    expect(JSON.parse((msg.content[0] as Anthropic.TextBlock).text)).toEqual({
      city: "sample",
      population: 42,
    });
    const [upstream] = await received(anthropicFake(), m);
    expect(JSON.parse(upstream!.body).output_config).toEqual({
      format: { type: "json_schema", schema: citySchema },
    });
  });

  it("Anthropic's output_config → response_format for an OpenAI model", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    const msg = await anthropic(key).messages.create({
      model: "openai/gpt-4o-mini",
      max_tokens: 100,
      messages: [{ role: "user", content: m }],
      output_config: { format: { type: "json_schema", schema: citySchema } },
    });
    expect(JSON.parse((msg.content[0] as Anthropic.TextBlock).text)).toEqual({
      city: "sample",
      population: 42,
    });
    const [upstream] = await received(openaiFake(), m);
    expect(JSON.parse(upstream!.body).response_format).toMatchObject({
      type: "json_schema",
      json_schema: { schema: citySchema },
    });
  });

  it("an unknown Messages field passes through to Anthropic and is refused by name toward OpenAI", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    const body = (model: string) => ({
      model,
      max_tokens: 10,
      messages: [{ role: "user", content: m }],
      context_management: { edits: [] },
    });
    expect((await call("/v1/messages", { key, body: body("anthropic/claude-haiku-4-5") })).status).toBe(200);
    const [upstream] = await received(anthropicFake(), m);
    expect(JSON.parse(upstream!.body).context_management).toEqual({ edits: [] });
    const e = await expectAnthropicError(
      await call("/v1/messages", { key, body: body("openai/gpt-4o-mini") }),
      400,
    );
    expect(e).toMatchObject({ param: "context_management", code: "untranslatable_parameter" });
  });
});

describe("honest translated streams", () => {
  it("message_start carries the tokenizer's count, the provider's own, repeated in message_delta", async () => {
    const { key, id } = await newKeyUser();
    const m = marker();
    const stream = anthropic(key).messages.stream({
      model: "openai/gpt-4o-mini",
      max_tokens: 50,
      messages: [{ role: "user", content: m }],
    });
    let startInput: number | undefined;
    stream.on("streamEvent", (e) => {
      if (e.type === "message_start") startInput = e.message.usage.input_tokens;
    });
    const final = await stream.finalMessage();
    const [row] = await usageRows(id, 1);
    expect(row!.estimated).toBe(0);
    expect(startInput).toBe(row!.input_tokens);
    expect(final.usage.input_tokens).toBe(row!.input_tokens);
    expect(final.model).toBe("openai/gpt-4o-mini");
  });

  it("a matched stop sequence is stop_reason stop_sequence with the sequence, whole and streamed", async () => {
    const { key } = await newKeyUser();
    const client = anthropic(key);
    for (const streamed of [false, true]) {
      const m = marker();
      await script(openaiFake(), { match: m, stopSequence: "END" });
      const params = {
        model: "openai/gpt-4o-mini",
        max_tokens: 50,
        stop_sequences: ["END"],
        messages: [{ role: "user" as const, content: m }],
      };
      const msg = streamed
        ? await client.messages.stream(params).finalMessage()
        : await client.messages.create(params);
      expect([msg.stop_reason, msg.stop_sequence]).toEqual(["stop_sequence", "END"]);
    }
    // From an Anthropic model the provider says so itself; passed through unchanged.
    const m = marker();
    await script(anthropicFake(), { match: m, stopSequence: "END" });
    const msg = await client.messages.create({
      model: "anthropic/claude-3-5-haiku-latest",
      max_tokens: 50,
      stop_sequences: ["END"],
      messages: [{ role: "user", content: m }],
    });
    expect([msg.stop_reason, msg.stop_sequence]).toEqual(["stop_sequence", "END"]);
  });

  it("every answer and chunk names the model id the client asked for, pass-through and translated", async () => {
    const { key } = await newKeyUser();
    const o = openai(key);
    const a = anthropic(key);
    for (const model of ["openai/gpt-4o-mini", "anthropic/claude-3-5-haiku-latest"]) {
      const whole = await o.chat.completions.create({
        model,
        messages: [{ role: "user", content: marker() }],
      });
      expect(whole.model).toBe(model);
      const chunks = await o.chat.completions.create({
        model,
        messages: [{ role: "user", content: marker() }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of chunks) expect(chunk.model).toBe(model);
      const msg = await a.messages.create({
        model,
        max_tokens: 20,
        messages: [{ role: "user", content: marker() }],
      });
      expect(msg.model).toBe(model);
      const final = await a.messages
        .stream({ model, max_tokens: 20, messages: [{ role: "user", content: marker() }] })
        .finalMessage();
      expect(final.model).toBe(model);
    }
  });
});

describe("provider error bodies", () => {
  const leaky = {
    error: {
      message:
        "Rate limit reached for gpt-4o-mini in organization org-XXXX1234 on requests per min. Project proj_XXXX5678 limit: 3.",
      type: "requests",
      code: "rate_limit_exceeded",
    },
  };

  it("are never passed through verbatim: our message with the provider's type/code, no account ids", async () => {
    expectConsoleError(/request failed.*"status":502/); // the provider's 500 becomes our 502
    const { key } = await newKeyUser();
    for (const status of [400, 429, 500]) {
      const m = marker();
      await script(openaiFake(), {
        match: m,
        status,
        body: leaky,
        times: 5,
        headers: { "retry-after": "30" },
      });
      const res = await call("/v1/chat/completions", {
        key,
        body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: m }] },
      });
      const text = await res.clone().text();
      expect(text).not.toMatch(/org-XXXX|proj_XXXX/);
      const e = await expectError(res, status === 500 ? 502 : status);
      expect(e.message).toContain("rate_limit_exceeded");
      expect(e.message).toMatch(/^The provider/);
    }
  });

  it("the same for Anthropic clients, in Anthropic's shape", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    await script(anthropicFake(), {
      match: m,
      status: 400,
      body: {
        type: "error",
        error: { type: "invalid_request_error", message: "bad for account acct_XXXX99 here" },
      },
    });
    const res = await call("/v1/messages", {
      key,
      body: {
        model: "anthropic/claude-3-5-haiku-latest",
        max_tokens: 5,
        messages: [{ role: "user", content: m }],
      },
    });
    const e = await expectAnthropicError(res, 400);
    expect(e.message).not.toContain("acct_XXXX99");
    expect(e.message).toContain("invalid_request_error");
  });
});

describe("GET /v1/models", () => {
  it("carries context length, max output, every price per 1M tokens and the provider's data policy", async () => {
    const { key } = await newKeyUser();
    const models: Record<string, unknown>[] = [];
    for await (const m of openai(key).models.list()) models.push(m as unknown as Record<string, unknown>);
    expect(models.find((m) => m.id === "openai/gpt-4o-mini")).toEqual({
      id: "openai/gpt-4o-mini",
      object: "model",
      created: 0,
      owned_by: "openai",
      provider: "OpenAI",
      kind: "chat",
      context_length: 128_000,
      max_output_tokens: 16_384,
      capabilities: ["tools", "vision", "structured_output"],
      pricing: {
        input: 0.15,
        output: 0.6,
        input_cache_read: 0.075,
        input_cache_write: null,
        currency: "USD",
        per: 1_000_000,
      },
      data_policy: {
        trains_on_data: false,
        retention_days: 30,
        zero_data_retention: false,
        regions: ["us"],
        terms_url: "https://openai.com/policies/services-agreement/",
      },
    });
    expect(models.find((m) => m.id === "anthropic/claude-sonnet-4-5")).toMatchObject({
      pricing: { input: 3, output: 15, input_cache_read: 0.3, input_cache_write: 3.75 },
    });
  });
});
