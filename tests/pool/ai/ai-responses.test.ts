// The Responses API through the official openai SDK: passed through to an OpenAI provider (stateless: store:
// false upstream), translated to Anthropic Messages and through Messages to the dev provider — text, tools
// with their second turn, text.format, streaming with the documented events, usage metered like every route.
import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { anthropicFake, marker, openaiFake, received, script, usageRows } from "../support/ai-helpers";
import { call, expectError, newKeyUser } from "../support/helpers";
import { openai } from "../support/sdk-clients";

const weather = {
  type: "function" as const,
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

describe("pass-through to an OpenAI provider", () => {
  it("answers responses.create, named by the model id asked for, storing nothing upstream", async () => {
    const { key, id } = await newKeyUser();
    const m = marker();
    const res = await openai(key).responses.create({
      model: "openai/gpt-4o-mini",
      instructions: "Be brief.",
      input: m,
      max_output_tokens: 50,
      user: "end-user-42",
    });
    expect(res.output_text).toBe("Hello from the fake OpenAI provider.");
    expect(res.model).toBe("openai/gpt-4o-mini");
    const [upstream] = await received(openaiFake(), m);
    expect(upstream!.path).toBe("/v1/responses");
    const sent = JSON.parse(upstream!.body);
    expect(sent).toMatchObject({ model: "gpt-4o-mini", store: false, instructions: "Be brief.", input: m });
    expect(sent.user).toBeUndefined();
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({
      endpoint: "responses",
      provider: "openai",
      status: 200,
      input_tokens: res.usage!.input_tokens,
      output_tokens: res.usage!.output_tokens,
      estimated: 0,
    });
  });

  it("streams the provider's events with the asked-for model and meters the final usage", async () => {
    const { key, id } = await newKeyUser();
    const stream = await openai(key).responses.create({
      model: "openai/gpt-4o-mini",
      input: [{ role: "user", content: marker() }],
      stream: true,
    });
    const types: string[] = [];
    let text = "";
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.created") expect(event.response.model).toBe("openai/gpt-4o-mini");
      if (event.type === "response.completed") completed = event.response;
    }
    expect(text).toBe("Hello from the fake OpenAI provider.");
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    expect(completed!.model).toBe("openai/gpt-4o-mini");
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({ streamed: 1, estimated: 0, output_tokens: completed!.usage!.output_tokens });
  });

  it("passes an unknown field through to the OpenAI provider", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    const res = await call("/v1/responses", {
      key,
      body: { model: "openai/gpt-4o-mini", input: m, some_new_option: { on: true } },
    });
    expect(res.status).toBe(200);
    const [upstream] = await received(openaiFake(), m);
    expect(JSON.parse(upstream!.body).some_new_option).toEqual({ on: true });
  });
});

describe("translated to an Anthropic model", () => {
  it("maps instructions, input items and max_output_tokens, and the answer back to output items", async () => {
    const { key, id } = await newKeyUser();
    const m = marker();
    const res = await openai(key).responses.create({
      model: "anthropic/claude-3-5-haiku-latest",
      instructions: "You are terse.",
      input: [
        { role: "developer", content: "Answer in English." },
        { role: "user", content: [{ type: "input_text", text: m }] },
      ],
      max_output_tokens: 100,
    });
    expect(res.object).toBe("response");
    expect(res.status).toBe("completed");
    expect(res.model).toBe("anthropic/claude-3-5-haiku-latest");
    expect(res.output_text).toBe("Hello from the fake Anthropic provider.");
    const [upstream] = await received(anthropicFake(), m);
    const sent = JSON.parse(upstream!.body);
    expect(sent).toMatchObject({
      model: "claude-haiku-4-5",
      system: "You are terse.\n\nAnswer in English.",
      max_tokens: 100,
      messages: [{ role: "user", content: [{ type: "text", text: m }] }],
    });
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({
      endpoint: "responses",
      provider: "anthropic",
      input_tokens: res.usage!.input_tokens,
      output_tokens: res.usage!.output_tokens,
    });
  });

  it("calls a function tool, then takes the function_call_output turn", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    await script(anthropicFake(), {
      match: m,
      toolCall: { id: "toolu_9", name: "get_weather", arguments: '{"city":"Paris"}' },
    });
    const client = openai(key);
    const first = await client.responses.create({
      model: "anthropic/claude-3-5-haiku-latest",
      input: m,
      tools: [weather],
      tool_choice: "required",
    });
    const callItem = first.output.find((o) => o.type === "function_call");
    expect(callItem).toMatchObject({ type: "function_call", call_id: "toolu_9", name: "get_weather" });
    expect(JSON.parse((callItem as OpenAI.Responses.ResponseFunctionToolCall).arguments)).toEqual({
      city: "Paris",
    });
    const [upstream] = await received(anthropicFake(), m);
    expect(JSON.parse(upstream!.body)).toMatchObject({
      tools: [{ name: "get_weather", input_schema: { type: "object" } }],
      tool_choice: { type: "any" },
    });

    const m2 = marker();
    const second = await client.responses.create({
      model: "anthropic/claude-3-5-haiku-latest",
      tools: [weather],
      input: [
        { role: "user", content: m2 },
        callItem as OpenAI.Responses.ResponseFunctionToolCall,
        { type: "function_call_output", call_id: "toolu_9", output: "Sunny, 21°C" },
      ],
    });
    expect(second.output_text).toBe("Hello from the fake Anthropic provider.");
    const [followUp] = await received(anthropicFake(), m2);
    expect(JSON.parse(followUp!.body).messages).toEqual([
      { role: "user", content: [{ type: "text", text: m2 }] },
      {
        role: "assistant",
        content: [{ type: "tool_use", id: "toolu_9", name: "get_weather", input: { city: "Paris" } }],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_9", content: "Sunny, 21°C" }] },
    ]);
  });

  it("streams the documented event sequence, ending with response.completed and its usage", async () => {
    const { key, id } = await newKeyUser();
    const stream = await openai(key).responses.create({
      model: "anthropic/claude-3-5-haiku-latest",
      input: marker(),
      stream: true,
    });
    const types: string[] = [];
    let text = "";
    let completed: OpenAI.Responses.Response | undefined;
    const sequence: number[] = [];
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") completed = event.response;
    }
    expect(text).toBe("Hello from the fake Anthropic provider.");
    const distinct = types.filter((t, i) => t !== types[i - 1]);
    expect(distinct).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(sequence).toEqual(sequence.map((_, i) => i));
    expect(completed!.output).toHaveLength(1);
    expect(completed!.model).toBe("anthropic/claude-3-5-haiku-latest");
    expect(completed!.usage).toMatchObject({ output_tokens: 6 });
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({ streamed: 1, estimated: 0, output_tokens: 6, endpoint: "responses" });
  });

  it("streams a function call as function_call_arguments events", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    await script(anthropicFake(), {
      match: m,
      toolCall: { id: "toolu_s", name: "get_weather", arguments: '{"city":"Rome"}' },
    });
    const stream = openai(key).responses.stream({
      model: "anthropic/claude-3-5-haiku-latest",
      input: m,
      tools: [weather],
    });
    let args = "";
    stream.on("response.function_call_arguments.delta", (e) => {
      args += e.delta;
    });
    const final = await stream.finalResponse();
    expect(args).toBe('{"city":"Rome"}');
    expect(final.output[0]).toMatchObject({
      type: "function_call",
      call_id: "toolu_s",
      name: "get_weather",
      arguments: '{"city":"Rome"}',
    });
  });

  it("text.format json_schema comes back as the JSON text asked for", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    const res = await openai(key).responses.create({
      model: "anthropic/claude-sonnet-4-0",
      input: m,
      text: {
        format: {
          type: "json_schema",
          name: "city",
          schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      },
    });
    expect(JSON.parse(res.output_text)).toEqual({ city: "sample" });
    const [upstream] = await received(anthropicFake(), m);
    // claude-sonnet-4-0 has no structured-output parameter: a forced tool carries the schema.
    expect(JSON.parse(upstream!.body)).toMatchObject({
      tool_choice: { type: "tool", name: "json_response" },
      tools: [{ name: "json_response", input_schema: { properties: { city: { type: "string" } } } }],
    });
  });

  it("refuses, by name, a field it cannot translate", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    const e = await expectError(
      await call("/v1/responses", {
        key,
        body: { model: "anthropic/claude-3-5-haiku-latest", input: m, some_new_option: true },
      }),
      400,
    );
    expect(e).toMatchObject({ param: "some_new_option", code: "untranslatable_parameter" });
    expect(await received(anthropicFake(), m)).toHaveLength(0);
  });
});

describe("the dev provider", () => {
  it("answers through Messages → chat translation, whole and streamed", async () => {
    const { key } = await newKeyUser();
    const client = openai(key);
    const res = await client.responses.create({ model: "dev/echo", input: "ping" });
    expect(res.output_text).toBe("[dev provider] You said: ping");
    expect(res.model).toBe("dev/echo");
    const stream = await client.responses.create({ model: "dev/echo", input: "hello there", stream: true });
    let text = "";
    let usage: OpenAI.Responses.ResponseUsage | undefined;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") usage = event.response.usage;
    }
    expect(text).toBe("[dev provider] You said: hello there");
    expect(usage!.output_tokens).toBeGreaterThan(0);
  });
});

describe("stateless (ADR 025)", () => {
  it.each([
    ["store: true", { store: true }, "store"],
    ["previous_response_id", { previous_response_id: "resp_123" }, "previous_response_id"],
    ["conversation", { conversation: "conv_1" }, "conversation"],
  ])("refuses %s with a clear 400, sending nothing", async (_name, extra, param) => {
    const { key } = await newKeyUser();
    const m = marker();
    const e = await expectError(
      await call("/v1/responses", { key, body: { model: "openai/gpt-4o-mini", input: m, ...extra } }),
      400,
    );
    expect(e.param).toBe(param);
    expect(e.message).toMatch(/stores none/);
    expect(await received(openaiFake(), m)).toHaveLength(0);
  });
});
