// What clients nobody here wrote found (issue #24), each pinned: no-op values of known fields, tool_choice without
// tools, CSRF on Bearer routes, the OpenAPI document's enum, error schema and security, structured output and
// forced tools on the dev provider, and Anthropic streams' final counts.
import { env } from "cloudflare:workers";
import { zodResponseFormat, zodTextFormat } from "openai/helpers/zod";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { expectAnthropicError, marker } from "../support/ai-helpers";
import { call, expectError, newKeyUser } from "../support/helpers";
import { openai } from "../support/sdk-clients";

const anthropicHeaders = { "anthropic-version": "2023-06-01" };

describe("no-op values of known fields (the OpenAI Agents SDK's include: [])", () => {
  // What the Agents SDK and other clients send at their defaults.
  const noOps = {
    include: [],
    truncation: "disabled",
    reasoning: null,
    prompt: null,
    top_logprobs: 0,
    service_tier: "auto",
    stream_options: {},
    parallel_tool_calls: true,
  };

  it.each(["anthropic/claude-3-5-haiku-latest", "dev/echo"])(
    "/v1/responses to %s accepts them",
    async (model) => {
      const { key } = await newKeyUser();
      const res = await call("/v1/responses", { key, body: { model, input: marker(), ...noOps } });
      expect(res.status, await res.clone().text()).toBe(200);
    },
  );

  it("chat to an Anthropic model and Messages to an OpenAI model accept theirs", async () => {
    const { key } = await newKeyUser();
    const chat = await call("/v1/chat/completions", {
      key,
      body: {
        model: "anthropic/claude-3-5-haiku-latest",
        messages: [{ role: "user", content: marker() }],
        n: 1,
        logprobs: false,
        presence_penalty: 0,
        frequency_penalty: 0,
        logit_bias: {},
        modalities: ["text"],
        include: [],
      },
    });
    expect(chat.status, await chat.clone().text()).toBe(200);
    const messages = await call("/v1/messages", {
      key,
      headers: anthropicHeaders,
      body: {
        model: "openai/gpt-4o-mini",
        max_tokens: 32,
        messages: [{ role: "user", content: marker() }],
        mcp_servers: [],
        thinking: { type: "disabled" },
        context_management: {},
      },
    });
    expect(messages.status, await messages.clone().text()).toBe(200);
  });

  it("a value that asks for something is still refused, naming the model it cannot reach", async () => {
    const { key } = await newKeyUser();
    const res = await call("/v1/responses", {
      key,
      body: { model: "dev/echo", input: "hi", include: ["reasoning.encrypted_content"] },
    });
    const error = await expectError(res, 400);
    expect(error).toMatchObject({ code: "untranslatable_parameter", param: "include" });
    expect(error.message).toContain("cannot be sent to dev/echo");
    expect(error.message).not.toContain("Anthropic");
  });
});

describe("tool_choice that forces a tool needs tools (400, as the providers answer)", () => {
  it("Messages: {type:'tool'} or {type:'any'} without tools", async () => {
    const { key } = await newKeyUser();
    for (const tool_choice of [{ type: "tool", name: "x" }, { type: "any" }]) {
      for (const model of ["anthropic/claude-3-5-haiku-latest", "openai/gpt-4o-mini", "dev/echo"]) {
        const res = await call("/v1/messages", {
          key,
          headers: anthropicHeaders,
          body: { model, max_tokens: 16, messages: [{ role: "user", content: "hi" }], tool_choice },
        });
        const error = await expectAnthropicError(res, 400);
        expect(error).toMatchObject({ type: "invalid_request_error", param: "tool_choice" });
      }
    }
  });

  it("chat completions: 'required' or a named function without tools", async () => {
    const { key } = await newKeyUser();
    for (const tool_choice of ["required", { type: "function", function: { name: "x" } }]) {
      const res = await call("/v1/chat/completions", {
        key,
        body: {
          model: "anthropic/claude-3-5-haiku-latest",
          messages: [{ role: "user", content: "hi" }],
          tool_choice,
        },
      });
      expect(await expectError(res, 400)).toMatchObject({ param: "tool_choice" });
    }
  });
});

describe("CSRF does not apply to Bearer-authenticated /v1", () => {
  it("a /v1 call carrying the dashboard's cookie and no Origin (requests.Session, an extension) is answered", async () => {
    const { key, cookie } = await newKeyUser();
    for (const origin of [null, "https://elsewhere.example"]) {
      const res = await call("/v1/chat/completions", {
        key,
        cookie,
        origin,
        body: { model: "dev/echo", messages: [{ role: "user", content: "hi" }] },
      });
      expect(res.status, await res.clone().text()).toBe(200);
    }
  });
});

describe("the OpenAPI document says what the API answers", () => {
  const doc = async () =>
    (await (await call("/api/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, Json> }>>;
      components: { schemas: Record<string, Json> };
    };
  // biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
  type Json = any;

  it("retentionDays lists every choice (1, 7, 30, 90)", async () => {
    const { components } = await doc();
    for (const name of ["PrivacySettings", "PrivacySettingsPatch"]) {
      const schema = components.schemas[name];
      if (!schema) continue;
      expect(schema.properties.retentionDays.enum).toEqual([1, 7, 30, 90]);
    }
    expect(components.schemas.PrivacySettings.properties.retentionDays.enum).toEqual([1, 7, 30, 90]);
  });

  it("/v1/messages* document Anthropic's error schema; the OpenAI routes OpenAI's", async () => {
    const { paths } = await doc();
    const errorRef = (path: string, status: string) =>
      paths[path]!.post!.responses[status].content["application/json"].schema.$ref;
    for (const path of ["/v1/messages", "/v1/messages/count_tokens"]) {
      expect(errorRef(path, "400")).toBe("#/components/schemas/AnthropicError");
      expect(errorRef(path, "413")).toBe("#/components/schemas/AnthropicError");
    }
    expect(errorRef("/v1/chat/completions", "400")).toBe("#/components/schemas/Error");
  });

  it("every session-protected operation declares the session security", async () => {
    const { paths } = await doc();
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(paths)) {
      if (!/^\/api\/(keys|billing|privacy\/requests|admin\/privacy)/.test(path)) continue;
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.security?.length) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe("the dev provider honours structured output and forced tools", () => {
  const City = z.object({ city: z.string(), population: z.number().int(), coastal: z.boolean() });

  it("chat.completions.parse with zodResponseFormat", async () => {
    const { key } = await newKeyUser();
    const completion = await openai(key).chat.completions.parse({
      model: "dev/echo",
      messages: [{ role: "user", content: "a city" }],
      response_format: zodResponseFormat(City, "city"),
    });
    const parsed = completion.choices[0]!.message.parsed;
    expect(City.parse(parsed)).toEqual({ city: "[dev provider] sample", population: 42, coastal: true });
  });

  it("responses.parse with zodTextFormat, whole and streamed", async () => {
    const { key } = await newKeyUser();
    const response = await openai(key).responses.parse({
      model: "dev/echo",
      input: "a city",
      text: { format: zodTextFormat(City, "city") },
    });
    expect(City.parse(response.output_parsed)).toMatchObject({ population: 42 });
    const stream = openai(key).responses.stream({
      model: "dev/echo",
      input: "a city",
      text: { format: zodTextFormat(City, "city") },
    });
    const final = await stream.finalResponse();
    expect(City.parse(final.output_parsed)).toMatchObject({ coastal: true });
  });

  it("a forced tool is called with arguments that fit its parameters (chat and Messages)", async () => {
    const { key } = await newKeyUser();
    const parameters = {
      type: "object",
      properties: { city: { type: "string" }, days: { type: "integer", minimum: 1, maximum: 365 } },
      required: ["city", "days"],
    };
    const completion = await openai(key).chat.completions.create({
      model: "dev/echo",
      messages: [{ role: "user", content: "weather?" }],
      tools: [
        { type: "function", function: { name: "time", parameters: { type: "object", properties: {} } } },
        { type: "function", function: { name: "forecast", parameters } },
      ],
      tool_choice: { type: "function", function: { name: "forecast" } },
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call0 = choice.message.tool_calls![0]!;
    expect(call0.type === "function" && call0.function.name).toBe("forecast");
    expect(JSON.parse(call0.type === "function" ? call0.function.arguments : "")).toEqual({
      city: "[dev provider] sample",
      days: 42,
    });
    const message = await call("/v1/messages", {
      key,
      headers: anthropicHeaders,
      body: {
        model: "dev/echo",
        max_tokens: 64,
        messages: [{ role: "user", content: "weather?" }],
        tools: [{ name: "forecast", input_schema: parameters }],
        tool_choice: { type: "tool", name: "forecast" },
      },
    });
    const body = (await message.json()) as {
      stop_reason: string;
      content: { type: string; input?: unknown }[];
    };
    expect(body.stop_reason).toBe("tool_use");
    expect(body.content[0]).toMatchObject({ type: "tool_use", input: { days: 42 } });
  });
});

describe("Anthropic-dialect streams send the final counts in message_delta.usage", () => {
  it("from an OpenAI model: the provider's input count, not message_start's estimate, with the cache counts", async () => {
    const { key } = await newKeyUser();
    const body = {
      model: "openai/gpt-4o-mini",
      max_tokens: 64,
      messages: [{ role: "user", content: marker() }],
    };
    const whole = (await (await call("/v1/messages", { key, headers: anthropicHeaders, body })).json()) as {
      usage: { input_tokens: number };
    };
    const streamed = await (
      await call("/v1/messages", { key, headers: anthropicHeaders, body: { ...body, stream: true } })
    ).text();
    const delta = streamed
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => JSON.parse(l.slice(6)))
      .find((e) => e.type === "message_delta");
    expect(delta.usage).toEqual({
      input_tokens: whole.usage.input_tokens,
      output_tokens: expect.any(Number),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
  });
});

it("the fakes run in the tests' process: a provider that answers 400 to tool_choice without tools", async () => {
  // The gateway refuses the combination before the provider sees it; the fake refuses it too, as Anthropic does.
  const res = await fetch(`${env.ANTHROPIC_BASE_URL}/v1/messages`, {
    method: "POST",
    headers: {
      "x-api-key": env.ANTHROPIC_API_KEY,
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
    },
    body: JSON.stringify({
      model: "m",
      max_tokens: 8,
      messages: [{ role: "user", content: "x" }],
      tool_choice: { type: "tool", name: "x" },
    }),
  });
  expect(res.status).toBe(400);
});

describe("models.retrieve (GET /v1/models/{id}, the id holding a '/')", () => {
  it("the openai SDK retrieves one model; an unknown id is a 404 in the OpenAI shape", async () => {
    const { key } = await newKeyUser();
    const model = await openai(key).models.retrieve("openai/gpt-4o-mini");
    expect(model).toMatchObject({ id: "openai/gpt-4o-mini", object: "model" });
    const missing = await call("/v1/models/nope/model", { key });
    expect(await expectError(missing, 404)).toMatchObject({ code: "model_not_found" });
  });
});
