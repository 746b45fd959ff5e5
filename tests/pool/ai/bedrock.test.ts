// Amazon Bedrock by configuration (catalogue.json `bedrock`: kind "bedrock", Converse and ConverseStream signed
// with SigV4): the model in the URL, the signed Authorization header, Converse's blocks for messages and tools,
// the event-stream answer decoded (CRCs checked), both dialects and the Responses API, usage with prompt-cache
// reads and writes metered exactly, and data-policy routing — against its loopback fake (tests/fakes/bedrock.ts).
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { micros } from "#worker/ai/catalogue/prices";
import { crc32, EventStreamDecoder } from "#worker/ai/providers/bedrock/event-stream";
import worker from "#worker/index";
import { FAKE_BEDROCK_ACCESS_KEY_ID } from "../../fakes/bedrock";
import { marker, received, script, usageRows, v1 } from "../support/ai-helpers";
import { expectConsoleError } from "../support/console-errors";
import { call, expectError, newKeyUser, ORIGIN } from "../support/helpers";

const withProviders = { ...env, ...env.PROVIDER_VARS } as Env;
const bedrockFake = () => env.PROVIDER_VARS.BEDROCK_BASE_URL!;
const REPLY = "Hello from the fake Bedrock provider.";

async function send(key: string, path: string, body: unknown, vars = withProviders): Promise<Response> {
  return await worker.fetch(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    vars,
    createExecutionContext(),
  );
}

const user = (text: string) => [{ role: "user", content: text }];
const dataLines = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith("data: ") && l !== "data: [DONE]")
    .map((l) => JSON.parse(l.slice(6)));

/** One event-stream message, framed as AWS documents it (the fake's framing, rebuilt here in the Worker). */
function frame(type: string, payload: unknown): Uint8Array {
  const name = new TextEncoder().encode(":event-type");
  const value = new TextEncoder().encode(type);
  const headers = new Uint8Array([name.length, ...name, 7, value.length >> 8, value.length & 255, ...value]);
  const body = new TextEncoder().encode(JSON.stringify(payload));
  const total = 12 + headers.length + body.length + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headers.length);
  view.setUint32(8, crc32(out.subarray(0, 8)));
  out.set(headers, 12);
  out.set(body, 12 + headers.length);
  view.setUint32(total - 4, crc32(out.subarray(0, total - 4)));
  return out;
}

describe("Bedrock event-stream decoder", () => {
  it("computes the standard CRC-32", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("joins frames split across chunks and reads their headers and payloads", () => {
    const bytes = new Uint8Array([
      ...frame("messageStart", { role: "assistant" }),
      ...frame("messageStop", {}),
    ]);
    const decoder = new EventStreamDecoder();
    const first = decoder.push(bytes.subarray(0, 30));
    const rest = decoder.push(bytes.subarray(30));
    expect(first).toEqual([]);
    expect(rest.map((m) => m.headers[":event-type"])).toEqual(["messageStart", "messageStop"]);
    expect(JSON.parse(new TextDecoder().decode(rest[0]!.payload))).toEqual({ role: "assistant" });
    expect(decoder.pending()).toBe(0);
  });

  it("refuses a frame whose message CRC does not match", () => {
    const bytes = frame("messageStart", { role: "assistant" });
    bytes[14] = bytes[14]! ^ 1;
    expect(() => new EventStreamDecoder().push(bytes)).toThrow("message CRC");
  });
});

describe("Amazon Bedrock (Converse)", () => {
  it("signs with SigV4, puts the model in the URL and the system in `system`, meters cache reads and writes exactly", async () => {
    const u = await newKeyUser();
    const m = marker("bedrock");
    await script(bedrockFake(), { match: m, cache: { read: 100, write: 20 } });
    const res = await send(u.key, "/v1/chat/completions", {
      model: "bedrock/claude-sonnet-4-5",
      max_tokens: 50,
      messages: [{ role: "system", content: "Be brief." }, ...user(m)],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      model: string;
      choices: { message: { content: string }; finish_reason: string }[];
      usage: {
        prompt_tokens: number;
        completion_tokens: number;
        prompt_tokens_details: { cached_tokens: number };
      };
    };
    expect(body.model).toBe("bedrock/claude-sonnet-4-5");
    expect(body.choices[0]).toMatchObject({ message: { content: REPLY }, finish_reason: "stop" });
    const [upstream] = await received(bedrockFake(), m);
    expect(decodeURIComponent(upstream!.path)).toBe(
      "/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/converse",
    );
    expect(upstream!.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${FAKE_BEDROCK_ACCESS_KEY_ID}/\\d{8}/us-east-1/bedrock/aws4_request, `,
      ),
    );
    const sent = JSON.parse(upstream!.body);
    expect(sent).toEqual({
      system: [{ text: "Be brief." }],
      messages: [{ role: "user", content: [{ text: m }] }],
      inferenceConfig: { maxTokens: 50 },
    });
    // Converse's inputTokens leaves the cache out: our input is the three together.
    const words = REPLY.split(" ").length;
    expect(body.usage.prompt_tokens_details.cached_tokens).toBe(100);
    expect(body.usage.completion_tokens).toBe(words);
    const [row] = await usageRows(u.id, 1);
    expect(row).toMatchObject({
      provider: "bedrock",
      input_tokens: body.usage.prompt_tokens,
      output_tokens: words,
    });
    const uncached = body.usage.prompt_tokens - 120;
    const exact =
      uncached * micros("3.30") + 100 * micros("0.33") + 20 * micros("4.125") + words * micros("16.50");
    expect(row!.cost_micros).toBe(Math.ceil(exact / 1_000_000));
  });

  it("streams ConverseStream's event-stream frames as chat chunks, with the usage chunk when asked", async () => {
    const u = await newKeyUser();
    const m = marker("bedrock-stream");
    const res = await send(u.key, "/v1/chat/completions", {
      model: "bedrock/nova-lite",
      stream: true,
      stream_options: { include_usage: true },
      messages: user(m),
    });
    expect(res.status).toBe(200);
    const raw = await res.text();
    const chunks = dataLines(raw);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe(REPLY);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe("stop");
    const last = chunks.at(-1);
    expect(last.usage.completion_tokens).toBe(REPLY.split(" ").length);
    expect(raw.trim().endsWith("data: [DONE]")).toBe(true);
    const [upstream] = await received(bedrockFake(), m);
    expect(decodeURIComponent(upstream!.path)).toBe("/model/us.amazon.nova-lite-v1:0/converse-stream");
    const [row] = await usageRows(u.id, 1);
    expect(row).toMatchObject({ provider: "bedrock", estimated: 0, input_tokens: last.usage.prompt_tokens });
  });

  it("relays an exception in the stream as an error event, not a clean end", async () => {
    const u = await newKeyUser();
    const m = marker("bedrock-exception");
    await script(bedrockFake(), { match: m, exception: "throttlingException" });
    const res = await send(u.key, "/v1/chat/completions", {
      model: "bedrock/nova-lite",
      stream: true,
      messages: user(m),
    });
    const raw = await res.text();
    expect(raw).toContain("The stream failed upstream.");
    expect(dataLines(raw).some((c) => c.choices?.[0]?.finish_reason)).toBe(false);
  });

  it("calls a tool (toolUse) and sends its result back as a toolResult in a user turn", async () => {
    const u = await newKeyUser();
    const m = marker("bedrock-tool");
    await script(bedrockFake(), {
      match: m,
      toolCall: { id: "tooluse_1", name: "weather", arguments: '{"city":"Oslo"}' },
    });
    const tools = [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }];
    const res = await send(u.key, "/v1/chat/completions", {
      model: "bedrock/nova-pro",
      messages: user(m),
      tools,
      tool_choice: "required",
    });
    const body = (await res.json()) as {
      choices: { message: { tool_calls: unknown[] }; finish_reason: string }[];
    };
    expect(body.choices[0]!.finish_reason).toBe("tool_calls");
    expect(body.choices[0]!.message.tool_calls).toEqual([
      { id: "tooluse_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
    ]);
    const [first] = await received(bedrockFake(), m);
    expect(JSON.parse(first!.body).toolConfig).toEqual({
      tools: [{ toolSpec: { name: "weather", inputSchema: { json: { type: "object" } } } }],
      toolChoice: { any: {} },
    });
    const m2 = marker("bedrock-tool-result");
    await send(u.key, "/v1/chat/completions", {
      model: "bedrock/nova-pro",
      tools,
      messages: [
        ...user(m2),
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "tooluse_1",
              type: "function",
              function: { name: "weather", arguments: '{"city":"Oslo"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "tooluse_1", content: '{"temp":3}' },
      ],
    });
    const [second] = await received(bedrockFake(), m2);
    expect(JSON.parse(second!.body).messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: [{ toolUse: { toolUseId: "tooluse_1", name: "weather", input: { city: "Oslo" } } }],
      },
      {
        role: "user",
        content: [{ toolResult: { toolUseId: "tooluse_1", content: [{ json: { temp: 3 } }] } }],
      },
    ]);
  });

  it("streams a tool call to an Anthropic client and answers the Responses API", async () => {
    const u = await newKeyUser();
    const m = marker("bedrock-messages");
    await script(bedrockFake(), {
      match: m,
      toolCall: { id: "tooluse_2", name: "weather", arguments: '{"city":"Bergen"}' },
    });
    const res = await send(u.key, "/v1/messages", {
      model: "bedrock/nova-pro",
      max_tokens: 64,
      stream: true,
      messages: user(m),
      tools: [{ name: "weather", input_schema: { type: "object" } }],
    });
    const events = dataLines(await res.text());
    expect(events.find((e) => e.type === "content_block_start")?.content_block).toMatchObject({
      type: "tool_use",
      id: "tooluse_2",
      name: "weather",
    });
    const json = events
      .filter((e) => e.delta?.type === "input_json_delta")
      .map((e) => e.delta.partial_json)
      .join("");
    expect(JSON.parse(json)).toEqual({ city: "Bergen" });
    expect(events.find((e) => e.type === "message_delta")?.delta.stop_reason).toBe("tool_use");
    const responses = await send(u.key, "/v1/responses", {
      model: "bedrock/nova-lite",
      input: marker("bedrock-resp"),
    });
    const body = (await responses.json()) as {
      output_text?: string;
      output: { content?: { text: string }[] }[];
    };
    expect(body.output[0]!.content![0]!.text).toBe(REPLY);
    const rows = await usageRows(u.id, 2);
    expect(rows.map((r) => [r.provider, r.endpoint, r.estimated])).toEqual([
      ["bedrock", "messages", 0],
      ["bedrock", "responses", 0],
    ]);
  });

  it("is a 502 upstream_auth_failed when the platform's key pair is refused (the fake checks the signature's key id)", async () => {
    expectConsoleError(/request failed.*"code":"upstream_auth_failed"/);
    const u = await newKeyUser();
    const m = marker("bedrock-badkey");
    const bad = { ...withProviders, BEDROCK_CREDENTIALS: "AKIAOTHER:secret" } as Env;
    const e = await expectError(
      await send(u.key, "/v1/chat/completions", { model: "bedrock/nova-lite", messages: user(m) }, bad),
      502,
    );
    expect(e.code).toBe("upstream_auth_failed");
    expect(e.message).not.toContain("secret");
    expect(await received(bedrockFake(), m)).toHaveLength(1);
  });

  it("no training and zero retention admit it; EU only refuses it (us) with nothing sent", async () => {
    const u = await newKeyUser();
    const zdr = await call("/api/settings/privacy", {
      method: "PUT",
      cookie: u.cookie,
      body: { dataPolicy: "zero_retention" },
    });
    expect(zdr.status).toBe(200);
    const ok = await send(u.key, "/v1/chat/completions", {
      model: "bedrock/nova-lite",
      messages: user(marker("bedrock-zdr")),
    });
    expect(ok.status).toBe(200);
    const set = await call("/api/settings/privacy", {
      method: "PUT",
      cookie: u.cookie,
      body: { dataPolicy: "eu_only" },
    });
    expect(set.status).toBe(200);
    const m = marker("bedrock-eu");
    const e = await expectError(
      await send(u.key, "/v1/chat/completions", { model: "bedrock/nova-lite", messages: user(m) }),
      403,
    );
    expect(e.code).toBe("data_policy_violation");
    expect(await received(bedrockFake(), m)).toHaveLength(0);
  });
});

describe("Amazon Titan Text Embeddings V2 (InvokeModel)", () => {
  /** The OpenAI SDK against the Worker with the Bedrock fake configured (it asks for base64 and decodes it). */
  const sdk = (key: string) =>
    new OpenAI({
      apiKey: key,
      baseURL: v1,
      maxRetries: 0,
      fetch: async (input, init) =>
        await worker.fetch(new Request(input, init), withProviders, createExecutionContext()),
    });
  /** The fake's token count for a text (tests/fakes/provider-script.ts promptTokens). */
  const tokensOf = (text: string) => 7 + (JSON.stringify(text).length % 50);

  it("embeds through the OpenAI SDK: signed InvokeModel, dimensions passed, metered exactly on inputTextTokenCount", async () => {
    const u = await newKeyUser();
    const m = marker("titan");
    const res = await sdk(u.key).embeddings.create({
      model: "bedrock/titan-embed-text-v2",
      input: m,
      dimensions: 256,
    });
    expect(res.model).toBe("bedrock/titan-embed-text-v2");
    expect(res.data).toHaveLength(1);
    expect(res.data[0]!.embedding).toHaveLength(256);
    expect(res.data[0]!.embedding[0]).toBe(m.length);
    expect(res.data[0]!.embedding[1]).toBe(0.5);
    const tokens = tokensOf(m);
    expect(res.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
    const [upstream] = await received(bedrockFake(), m);
    expect(decodeURIComponent(upstream!.path)).toBe("/model/amazon.titan-embed-text-v2:0/invoke");
    expect(upstream!.headers.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${FAKE_BEDROCK_ACCESS_KEY_ID}/\\d{8}/us-east-1/bedrock/`),
    );
    expect(JSON.parse(upstream!.body)).toEqual({ inputText: m, dimensions: 256, normalize: true });
    const [row] = await usageRows(u.id, 1);
    expect(row).toMatchObject({
      provider: "bedrock",
      endpoint: "embeddings",
      estimated: 0,
      input_tokens: tokens,
      output_tokens: 0,
      cost_micros: Math.ceil((tokens * micros("0.02")) / 1_000_000),
    });
  });

  it("answers floats or base64 as asked, for a one-element input list, with Titan's default size", async () => {
    const u = await newKeyUser();
    const m = marker("titan-float");
    const res = await send(u.key, "/v1/embeddings", {
      model: "bedrock/titan-embed-text-v2",
      input: [m],
      encoding_format: "float",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: { index: number; embedding: number[] }[] };
    expect(body.object).toBe("list");
    expect(body.data.map((d) => [d.index, d.embedding.length, d.embedding[0]])).toEqual([
      [0, 1024, m.length],
    ]);
    const [upstream] = await received(bedrockFake(), m);
    expect(JSON.parse(upstream!.body)).toEqual({ inputText: m, normalize: true });
    // base64 as OpenAI encodes it: the little-endian float32 bytes.
    const encoded = await send(u.key, "/v1/embeddings", {
      model: "bedrock/titan-embed-text-v2",
      input: m,
      dimensions: 512,
      encoding_format: "base64",
    });
    const [first] = ((await encoded.json()) as { data: { embedding: string }[] }).data;
    const bytes = Uint8Array.from(atob(first!.embedding), (c) => c.charCodeAt(0));
    const floats = new Float32Array(bytes.buffer);
    expect([floats.length, floats[0], floats[1]]).toEqual([512, m.length, 0.5]);
  });

  it.each([
    ["several inputs", (m: string) => ({ input: [m, "b"] }), "input"],
    ["token ids", () => ({ input: [1, 2, 3] }), "input"],
    ["a size Titan does not offer", (m: string) => ({ input: m, dimensions: 300 }), "dimensions"],
  ])("refuses %s with a 400 naming the parameter, sending nothing", async (_name, fields, param) => {
    const u = await newKeyUser();
    const m = marker("titan-refused");
    const e = await expectError(
      await send(u.key, "/v1/embeddings", { model: "bedrock/titan-embed-text-v2", ...fields(m) }),
      400,
    );
    expect(e).toMatchObject({ param, code: "untranslatable_parameter" });
    expect(await received(bedrockFake(), m)).toHaveLength(0);
  });
});
