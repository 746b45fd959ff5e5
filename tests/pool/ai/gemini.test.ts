// Google Gemini natively (generateContent / streamGenerateContent?alt=sse, x-goog-api-key), against its loopback
// fake (tests/fakes/gemini.ts): chat, streams and tools through both dialects and the Responses API, usage from
// usageMetadata (cached and thinking tokens) metered exactly, finish reasons and safety blocks mapped, and the
// data policy still deciding whether Gemini may see a request.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { micros } from "#worker/ai/catalogue/prices";
import worker from "#worker/index";
import { FAKE_CUSTOMER_GEMINI_KEY, FAKE_GEMINI_KEY } from "../../fakes/gemini";
import { marker, received, script, usageRows } from "../support/ai-helpers";
import { call, expectError, newKeyUser, ORIGIN, PASSWORD } from "../support/helpers";

const withProviders = { ...env, ...env.PROVIDER_VARS } as Env;
const geminiFake = () => env.PROVIDER_VARS.GEMINI_BASE_URL!;
const MODEL = "gemini/gemini-2.5-flash";

async function send(key: string, path: string, body: unknown): Promise<Response> {
  return await worker.fetch(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    withProviders,
    createExecutionContext(),
  );
}

const user = (text: string) => [{ role: "user", content: text }];

async function events(res: Response) {
  return (await res.text())
    .split("\n")
    .filter((l) => l.startsWith("data: ") && l !== "data: [DONE]")
    .map((l) => JSON.parse(l.slice(6)));
}

describe("Gemini through the OpenAI dialect", () => {
  it("answers chat via generateContent: the model in the URL, the key in x-goog-api-key, system as systemInstruction", async () => {
    const u = await newKeyUser();
    const m = marker("gem");
    await script(geminiFake(), { match: m, cache: { read: 4 }, thoughts: 9 });
    const res = await send(u.key, "/v1/chat/completions", {
      model: MODEL,
      messages: [{ role: "system", content: "Be brief." }, ...user(m)],
      max_tokens: 50,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      model: string;
      choices: { message: { content: string }; finish_reason: string }[];
      usage: {
        prompt_tokens: number;
        completion_tokens: number;
        prompt_tokens_details: { cached_tokens: number };
        completion_tokens_details: { reasoning_tokens: number };
      };
    };
    expect(body.model).toBe(MODEL);
    expect(body.choices[0]).toMatchObject({
      message: { content: "Hello from the fake Gemini provider." },
      finish_reason: "stop",
    });
    const [upstream] = await received(geminiFake(), m);
    expect(upstream!.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(upstream!.headers["x-goog-api-key"]).toBe(FAKE_GEMINI_KEY);
    expect(upstream!.headers.authorization).toBeUndefined();
    const sent = JSON.parse(upstream!.body);
    expect(sent.systemInstruction).toEqual({ parts: [{ text: "Be brief." }] });
    expect(sent.contents).toEqual([{ role: "user", parts: [{ text: m }] }]);
    expect(sent.generationConfig).toEqual({ maxOutputTokens: 50 });
    // Thinking tokens are output (billed), named as reasoning; cached prompt tokens are billed at the cache price.
    expect(body.usage.completion_tokens).toBe(6 + 9);
    expect(body.usage.completion_tokens_details.reasoning_tokens).toBe(9);
    expect(body.usage.prompt_tokens_details.cached_tokens).toBe(4);
    const [row] = await usageRows(u.id, 1);
    expect(row).toMatchObject({
      provider: "gemini",
      input_tokens: body.usage.prompt_tokens,
      output_tokens: 15,
    });
    const exact = (body.usage.prompt_tokens - 4) * micros("0.30") + 4 * micros("0.03") + 15 * micros("2.50");
    expect(row!.cost_micros).toBe(Math.ceil(exact / 1_000_000));
  });

  it("streams via streamGenerateContent?alt=sse, with the usage chunk when asked", async () => {
    const u = await newKeyUser();
    const m = marker("gem-stream");
    await script(geminiFake(), { match: m, thoughts: 3 });
    const res = await send(u.key, "/v1/chat/completions", {
      model: MODEL,
      messages: user(m),
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    const chunks = await events(res);
    const text = chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join("");
    expect(text).toBe("Hello from the fake Gemini provider.");
    expect(chunks.find((c) => c.choices?.[0]?.finish_reason)?.choices[0].finish_reason).toBe("stop");
    expect(chunks.at(-1).usage).toMatchObject({
      completion_tokens: 9,
      completion_tokens_details: { reasoning_tokens: 3 },
    });
    const [upstream] = await received(geminiFake(), m);
    expect(upstream!.path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
    expect(JSON.parse(upstream!.body).stream).toBeUndefined();
    const [row] = await usageRows(u.id, 1);
    expect(row).toMatchObject({ provider: "gemini", streamed: 1, estimated: 0, output_tokens: 9 });
  });

  it("calls a tool (functionCall) and sends its result back as a functionResponse named for the function", async () => {
    const u = await newKeyUser();
    const m = marker("gem-tool");
    await script(geminiFake(), {
      match: m,
      toolCall: { id: "x", name: "weather", arguments: '{"city":"Oslo"}' },
    });
    const tools = [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }];
    const res = await send(u.key, "/v1/chat/completions", {
      model: MODEL,
      messages: user(m),
      tools,
      tool_choice: "required",
    });
    const body = (await res.json()) as {
      choices: {
        message: { tool_calls: { id: string; function: { name: string; arguments: string } }[] };
        finish_reason: string;
      }[];
    };
    expect(body.choices[0]!.finish_reason).toBe("tool_calls");
    const toolCall = body.choices[0]!.message.tool_calls[0]!;
    expect(toolCall.function).toEqual({ name: "weather", arguments: '{"city":"Oslo"}' });
    const [first] = await received(geminiFake(), m);
    const sent = JSON.parse(first!.body);
    expect(sent.tools[0].functionDeclarations[0]).toMatchObject({
      name: "weather",
      parametersJsonSchema: { type: "object" },
    });
    expect(sent.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    const m2 = marker("gem-tool-result");
    const next = await send(u.key, "/v1/chat/completions", {
      model: MODEL,
      tools,
      messages: [
        ...user(m2),
        { role: "assistant", content: null, tool_calls: [{ ...toolCall, type: "function" }] },
        { role: "tool", tool_call_id: toolCall.id, content: '{"temp":-3}' },
      ],
    });
    expect(next.status).toBe(200);
    const [second] = await received(geminiFake(), m2);
    expect(JSON.parse(second!.body).contents.slice(1)).toEqual([
      { role: "model", parts: [{ functionCall: { name: "weather", args: { city: "Oslo" } } }] },
      { role: "user", parts: [{ functionResponse: { name: "weather", response: { temp: -3 } } }] },
    ]);
  });

  it("asks for JSON by schema (responseJsonSchema) for structured output", async () => {
    const u = await newKeyUser();
    const m = marker("gem-json");
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const res = await send(u.key, "/v1/chat/completions", {
      model: MODEL,
      messages: user(m),
      response_format: { type: "json_schema", json_schema: { name: "place", schema } },
    });
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(JSON.parse(body.choices[0]!.message.content)).toEqual({ city: "sample" });
    const [upstream] = await received(geminiFake(), m);
    expect(JSON.parse(upstream!.body).generationConfig).toEqual({
      responseMimeType: "application/json",
      responseJsonSchema: schema,
    });
  });

  it("maps a safety stop and a blocked prompt to content_filter with a refusal", async () => {
    const u = await newKeyUser();
    const a = marker("gem-safety");
    await script(geminiFake(), { match: a, block: "SAFETY" });
    const res = await send(u.key, "/v1/chat/completions", { model: MODEL, messages: user(a) });
    const body = (await res.json()) as {
      choices: { message: { content: null; refusal: string }; finish_reason: string }[];
    };
    expect(body.choices[0]).toMatchObject({ finish_reason: "content_filter", message: { content: null } });
    expect(body.choices[0]!.message.refusal).toContain("SAFETY");
    const b = marker("gem-prompt-block");
    await script(geminiFake(), { match: b, block: "PROMPT" });
    const streamed = await send(u.key, "/v1/chat/completions", {
      model: MODEL,
      messages: user(b),
      stream: true,
    });
    const chunks = await events(streamed);
    expect(chunks.find((c) => c.choices?.[0]?.finish_reason)?.choices[0].finish_reason).toBe(
      "content_filter",
    );
  });
});

describe("Gemini through the Anthropic dialect and the Responses API", () => {
  it("answers /v1/messages whole and streamed, stop reasons and usage in Anthropic's words", async () => {
    const u = await newKeyUser();
    const m = marker("gem-msg");
    const res = await send(u.key, "/v1/messages", { model: MODEL, max_tokens: 100, messages: user(m) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      content: { text: string }[];
      stop_reason: string;
      usage: { output_tokens: number };
    };
    expect(body).toMatchObject({ stop_reason: "end_turn", usage: { output_tokens: 6 } });
    expect(body.content[0]!.text).toBe("Hello from the fake Gemini provider.");
    const s = marker("gem-msg-stream");
    await script(geminiFake(), { match: s, block: "SAFETY" });
    const streamed = await send(u.key, "/v1/messages", {
      model: MODEL,
      max_tokens: 100,
      stream: true,
      messages: user(s),
    });
    const evs = await events(streamed);
    expect(evs.find((e) => e.type === "message_delta")?.delta.stop_reason).toBe("refusal");
    expect(evs.at(-1).type).toBe("message_stop");
    const rows = await usageRows(u.id, 2);
    expect(rows.map((r) => [r.provider, r.endpoint, r.estimated])).toEqual([
      ["gemini", "messages", 0],
      ["gemini", "messages", 0],
    ]);
  });

  it("answers a tool_use to an Anthropic client", async () => {
    const u = await newKeyUser();
    const m = marker("gem-msg-tool");
    await script(geminiFake(), {
      match: m,
      toolCall: { id: "x", name: "weather", arguments: '{"city":"Bergen"}' },
    });
    const res = await send(u.key, "/v1/messages", {
      model: MODEL,
      max_tokens: 100,
      messages: user(m),
      tools: [{ name: "weather", input_schema: { type: "object" } }],
    });
    const body = (await res.json()) as { stop_reason: string; content: { type: string; input?: unknown }[] };
    expect(body.stop_reason).toBe("tool_use");
    expect(body.content.find((c) => c.type === "tool_use")).toMatchObject({ input: { city: "Bergen" } });
  });

  it("answers the Responses API, whole and streamed", async () => {
    const u = await newKeyUser();
    const a = await send(u.key, "/v1/responses", { model: MODEL, input: marker("gem-resp") });
    expect(a.status).toBe(200);
    const whole = (await a.json()) as {
      output: { content: { text: string }[] }[];
      usage: { output_tokens: number };
    };
    expect(whole.output[0]!.content[0]!.text).toBe("Hello from the fake Gemini provider.");
    expect(whole.usage.output_tokens).toBe(6);
    const b = await send(u.key, "/v1/responses", {
      model: MODEL,
      input: marker("gem-resp-stream"),
      stream: true,
    });
    const evs = await events(b);
    expect(evs.at(-1)).toMatchObject({
      type: "response.completed",
      response: { usage: { output_tokens: 6 } },
    });
    const rows = await usageRows(u.id, 2);
    expect(rows.map((r) => [r.endpoint, r.output_tokens, r.estimated])).toEqual([
      ["responses", 6, 0],
      ["responses", 6, 0],
    ]);
  });
});

describe("data policy over Gemini", () => {
  it("embeds through batchEmbedContents, one request per input, metered on the estimate", async () => {
    const u = await newKeyUser();
    const m = marker("gemini-embed");
    const res = await send(u.key, "/v1/embeddings", {
      model: "gemini/gemini-embedding-001",
      input: [m, "bb"],
      dimensions: 3,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model: string; data: { index: number; embedding: number[] }[] };
    expect(body.model).toBe("gemini/gemini-embedding-001");
    expect(body.data.map((d) => [d.index, d.embedding[0]])).toEqual([
      [0, m.length],
      [1, 2],
    ]);
    const [upstream] = await received(geminiFake(), m);
    expect(upstream!.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(JSON.parse(upstream!.body).requests[1]).toEqual({
      model: "models/gemini-embedding-001",
      content: { parts: [{ text: "bb" }] },
      outputDimensionality: 3,
    });
    const [row] = await usageRows(u.id, 1);
    // Gemini reports no token counts for embeddings: the row is the estimate, marked as one.
    expect(row).toMatchObject({ provider: "gemini", endpoint: "embeddings", estimated: 1, output_tokens: 0 });
  });

  it("EU only refuses Gemini (us) and sends nothing", async () => {
    const u = await newKeyUser();
    expect(
      (
        await call("/api/settings/privacy", {
          method: "PUT",
          cookie: u.cookie,
          body: { dataPolicy: "eu_only" },
        })
      ).status,
    ).toBe(200);
    const m = marker("gem-eu");
    const e = await expectError(
      await send(u.key, "/v1/chat/completions", { model: MODEL, messages: user(m) }),
      403,
    );
    expect(e.code).toBe("data_policy_violation");
    expect(await received(geminiFake(), m)).toHaveLength(0);
  });
});

describe("bring your own key for Gemini", () => {
  it("sends the customer's key in x-goog-api-key instead of the platform's", async () => {
    const u = await newKeyUser();
    const put = await call("/api/provider-keys/gemini", {
      method: "PUT",
      cookie: u.cookie,
      body: { key: FAKE_CUSTOMER_GEMINI_KEY, password: PASSWORD },
    });
    expect(put.status).toBe(200);
    const m = marker("gem-byok");
    expect((await send(u.key, "/v1/chat/completions", { model: MODEL, messages: user(m) })).status).toBe(200);
    const [upstream] = await received(geminiFake(), m);
    expect(upstream!.headers["x-goog-api-key"]).toBe(FAKE_CUSTOMER_GEMINI_KEY);
  });
});

describe("a refused own Gemini key", () => {
  it("is a 424 byok_key_rejected (Gemini says 400 API_KEY_INVALID), the platform's key not tried", async () => {
    const u = await newKeyUser();
    const put = await call("/api/provider-keys/gemini", {
      method: "PUT",
      cookie: u.cookie,
      body: { key: "gemini-customer-revoked", password: PASSWORD },
    });
    expect(put.status).toBe(200);
    const m = marker("gem-byok-bad");
    const e = await expectError(
      await send(u.key, "/v1/chat/completions", { model: MODEL, messages: user(m) }),
      424,
    );
    expect(e.code).toBe("byok_key_rejected");
    const sent = await received(geminiFake(), m);
    expect(sent.map((r) => r.headers["x-goog-api-key"])).toEqual(["gemini-customer-revoked"]);
  });
});
