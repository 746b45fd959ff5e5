// The translations that keep the client's dialect (chat → chat, messages → messages, responses → responses,
// embeddings), which one `translationFor` picks, and two translations composed (Responses → Messages → Chat for an
// OpenAI-compatible provider without /responses): each output asserted whole.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CatalogueModel } from "#worker/ai/catalogue/model";
import { SseParser } from "#worker/ai/sse";
import { translationFor } from "#worker/ai/translate";
import { titanEmbeddings } from "#worker/ai/translate/bedrock/embeddings";
import { chatToConverse, messagesToConverse, responsesToConverse } from "#worker/ai/translate/bedrock/index";
import { chatToChat } from "#worker/ai/translate/chat-to-chat";
import { chatToMessages } from "#worker/ai/translate/chat-to-messages";
import { embeddingsToEmbeddings } from "#worker/ai/translate/embeddings";
import { geminiEmbeddings } from "#worker/ai/translate/gemini/embeddings";
import { chatToGemini, messagesToGemini, responsesToGemini } from "#worker/ai/translate/gemini/index";
import { messagesToChat } from "#worker/ai/translate/messages-to-chat";
import { messagesToMessages } from "#worker/ai/translate/messages-to-messages";
import { responsesToMessages } from "#worker/ai/translate/responses-to-messages";
import { responsesToResponses } from "#worker/ai/translate/responses-to-responses";
import type { Json, StreamTranslator } from "#worker/ai/translate/types";
import { provider, translationContext } from "./support/translation";

const model = { id: "acme/model-1", upstreamModel: "model-1" } as CatalogueModel;
const ctx = (body: Json = {}, includeUsage = true) => ({
  ...translationContext(model, { model: model.id, ...body }),
  includeUsage,
});
const identity = { user: "u1", metadata: { a: "b" }, safety_identifier: "s", prompt_cache_key: "k" };
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Each upstream SSE event through `stream`, the text it wrote for each, in order. */
function relay(stream: StreamTranslator, upstream: string): string[] {
  return new SseParser().push(upstream).map((e) => stream.event(e));
}

describe("translationFor", () => {
  const withResponses = provider("openai", true);
  const gemini = { dialect: "gemini", paths: {} } as unknown as ReturnType<typeof provider>;
  const bedrock = { dialect: "bedrock", paths: {} } as unknown as ReturnType<typeof provider>;
  it.each([
    ["openai", provider("openai"), "chat", chatToChat],
    ["openai", provider("anthropic"), "chat", chatToMessages],
    ["anthropic", provider("openai"), "chat", messagesToChat],
    ["anthropic", provider("anthropic"), "chat", messagesToMessages],
    ["openai", withResponses, "responses", responsesToResponses],
    ["openai", provider("anthropic"), "responses", responsesToMessages],
    ["openai", provider("openai"), "embeddings", embeddingsToEmbeddings],
    ["openai", gemini, "chat", chatToGemini],
    ["anthropic", gemini, "chat", messagesToGemini],
    ["openai", gemini, "responses", responsesToGemini],
    ["openai", gemini, "embeddings", geminiEmbeddings],
    ["openai", bedrock, "chat", chatToConverse],
    ["anthropic", bedrock, "chat", messagesToConverse],
    ["openai", bedrock, "responses", responsesToConverse],
    ["openai", bedrock, "embeddings", titanEmbeddings],
  ] as const)("%s client, %s provider, %s", (client, p, operation, expected) => {
    expect(translationFor(client, p, operation)).toBe(expected);
  });

  it("composes Responses → Messages → Chat for an OpenAI provider without /responses", () => {
    const composed = translationFor("openai", provider("openai"), "responses");
    expect([chatToChat, responsesToMessages, messagesToChat, responsesToResponses]).not.toContain(composed);
    expect(composed.upstreamOperation).toBe("chat");
  });

  it("refuses embeddings from an Anthropic provider (Anthropic has no embeddings API)", () => {
    expect(() => translationFor("openai", provider("anthropic"), "embeddings")).toThrow(
      expect.objectContaining({
        status: 400,
        message: "This model's provider has no embeddings API.",
        options: { param: "model", code: "invalid_request" },
      }),
    );
  });
});

describe("chat → chat (pass-through)", () => {
  it("swaps the model, never forwards who the user is, and asks for usage when streaming", () => {
    expect(chatToChat.request({ model: model.id, messages: [], ...identity, n: 2 }, ctx())).toStrictEqual({
      model: "model-1",
      messages: [],
      n: 2,
    });
    expect(
      chatToChat.request(
        { model: model.id, stream: true, stream_options: { include_obfuscation: false } },
        ctx(),
      ),
    ).toStrictEqual({
      model: "model-1",
      stream: true,
      stream_options: { include_obfuscation: false, include_usage: true },
    });
    expect(chatToChat.request({ model: model.id, stream: true }, ctx())).toStrictEqual({
      model: "model-1",
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it.each<[string, Json, Json]>([
    [
      "cache reads and writes kept apart",
      {
        prompt_tokens: 1_000,
        completion_tokens: 20,
        prompt_tokens_details: { cached_tokens: 800, cache_write_tokens: 50 },
      },
      { inputTokens: 1_000, outputTokens: 20, cachedInputTokens: 800, cacheWriteTokens: 50 },
    ],
    [
      "negative or missing details are 0, missing output is 0",
      { prompt_tokens: 7, prompt_tokens_details: { cached_tokens: -1, cache_write_tokens: "3" } },
      { inputTokens: 7, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 },
    ],
    ["no prompt_tokens: no usage", { completion_tokens: 3 }, undefined],
    ["no usage", undefined, undefined],
  ])("answers with the model swapped and usage read: %s", (_name, usage, expected) => {
    const upstream = { id: "c", model: "model-1", choices: [], usage };
    expect(chatToChat.response(upstream, ctx())).toStrictEqual({
      body: { id: "c", model: "acme/model-1", choices: [], usage },
      usage: expected,
    });
  });

  it("relays a stream with the model swapped, counting content and noting usage", () => {
    const stream = chatToChat.stream(ctx());
    const chunk = { id: "c", model: "model-1", choices: [{ index: 0, delta: { content: "Hello" } }] };
    const usage = { prompt_tokens: 3, completion_tokens: 1 };
    const out = relay(
      stream,
      `data: ${JSON.stringify(chunk)}\n\n: keep-alive\n\ndata: {"choices":[]}\n\ndata: oops\n\n` +
        `data: ${JSON.stringify({ id: "c", choices: [], usage })}\n\ndata: [DONE]\n\n`,
    );
    expect(stream.finished()).toBe(true);
    expect(out).toStrictEqual([
      `data: ${JSON.stringify({ ...chunk, model: "acme/model-1" })}\n\n`,
      'data: {"choices":[]}\n\n',
      "data: oops\n\n",
      `data: ${JSON.stringify({ id: "c", choices: [], usage })}\n\n`,
      "data: [DONE]\n\n",
    ]);
    expect(stream.usage()).toStrictEqual({
      inputTokens: 3,
      outputTokens: 1,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(stream.deliveredChars()).toBe(5);
    expect(stream.end()).toBe("");
    expect(stream.cut("Cut.")).toBe(
      'data: {"error":{"message":"Cut.","type":"api_error","code":"upstream_stream_cut","param":null}}\n\n',
    );
  });

  it("hides the usage it asked for on a client's behalf that did not", () => {
    const stream = chatToChat.stream(ctx({}, false));
    expect(stream.finished()).toBe(false);
    const usage = { prompt_tokens: 3, completion_tokens: 1 };
    const out = relay(
      stream,
      `data: ${JSON.stringify({ id: "c", choices: [{ index: 0, delta: {} }], usage })}\n\n` +
        `data: ${JSON.stringify({ id: "c", choices: [], usage: { completion_tokens: 1 } })}\n\n` +
        `data: ${JSON.stringify({ id: "c", usage })}\n\n`,
    );
    expect(out).toStrictEqual([
      `data: ${JSON.stringify({ id: "c", choices: [{ index: 0, delta: {} }] })}\n\n`,
      "",
      "",
    ]);
    expect(stream.usage()).toStrictEqual({
      inputTokens: 3,
      outputTokens: 1,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(stream.finished()).toBe(false);
  });
});

describe("messages → messages (pass-through)", () => {
  it("swaps the model and never forwards who the user is", () => {
    expect(messagesToMessages.request({ model: model.id, max_tokens: 5, ...identity }, ctx())).toStrictEqual({
      model: "model-1",
      max_tokens: 5,
    });
  });

  it("answers with the model swapped and the usage complete", () => {
    const upstream = {
      id: "m",
      model: "model-1",
      usage: { input_tokens: 5, cache_read_input_tokens: 2, output_tokens: 1 },
    };
    expect(messagesToMessages.response(upstream, ctx())).toStrictEqual({
      body: { ...upstream, model: "acme/model-1" },
      usage: { inputTokens: 7, outputTokens: 1, cachedInputTokens: 2, cacheWriteTokens: 0 },
    });
    expect(messagesToMessages.response({ id: "m" }, ctx()).usage).toBeUndefined();
  });

  it("relays a stream: message_start renamed, the rest as received", () => {
    const stream = messagesToMessages.stream(ctx());
    const start = {
      type: "message_start",
      message: { id: "m", model: "model-1", usage: { input_tokens: 4, output_tokens: 1 } },
    };
    const delta = { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } };
    const raw = (e: Json) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
    const upstream = [
      start,
      delta,
      { type: "content_block_stop", index: 0 },
      { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 2 } },
    ];
    const out = relay(stream, `${upstream.map(raw).join("")}event: ping\ndata: nope\n\n`);
    expect(out).toStrictEqual([
      raw({ ...start, message: { ...start.message, model: "acme/model-1" } }),
      raw(delta),
      raw(upstream[2]),
      raw(upstream[3]),
      "event: ping\ndata: nope\n\n",
    ]);
    expect(stream.finished()).toBe(false);
    expect(relay(stream, raw({ type: "message_stop" }))).toStrictEqual([raw({ type: "message_stop" })]);
    expect(stream.finished()).toBe(true);
    expect(stream.usage()).toStrictEqual({
      inputTokens: 4,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 2,
    });
    expect(stream.deliveredChars()).toBe(2);
    expect(stream.cut("Cut.")).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"Cut."}}\n\n',
    );
  });

  it("relays a message_start without a message as received", () => {
    const raw = 'event: message_start\ndata: {"type":"message_start"}\n\n';
    expect(relay(messagesToMessages.stream(ctx()), raw)).toStrictEqual([raw]);
  });
});

describe("responses → responses (pass-through)", () => {
  it("swaps the model, stores nothing at the provider, never forwards who the user is", () => {
    expect(
      responsesToResponses.request({ model: model.id, input: "Hi", store: true, ...identity }, ctx()),
    ).toStrictEqual({
      model: "model-1",
      input: "Hi",
      store: false,
    });
  });

  it("answers with the model swapped and the usage read", () => {
    const usage = { input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 2 };
    expect(responsesToResponses.response({ id: "r", model: "model-1", usage }, ctx())).toStrictEqual({
      body: { id: "r", model: "acme/model-1", usage },
      usage: { inputTokens: 10, outputTokens: 2, cachedInputTokens: 4 },
    });
    expect(
      responsesToResponses.response(
        { usage: { input_tokens: 10, input_tokens_details: { cached_tokens: -2 } } },
        ctx(),
      ).usage,
    ).toStrictEqual({ inputTokens: 10, outputTokens: 0, cachedInputTokens: 0 });
    expect(responsesToResponses.response({ usage: { output_tokens: 2 } }, ctx()).usage).toBeUndefined();
  });

  it.each(["response.completed", "response.incomplete", "response.failed"])(
    "relays a stream, renaming the response in each event; %s finishes it with its usage",
    (final) => {
      const stream = responsesToResponses.stream(ctx());
      const raw = (e: Json) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
      const created = {
        type: "response.created",
        sequence_number: 0,
        response: { id: "r", model: "model-1" },
      };
      const delta = { type: "response.output_text.delta", sequence_number: 1, delta: "Hello" };
      const usage = { input_tokens: 10, output_tokens: 2 };
      const done = { type: final, sequence_number: 2, response: { id: "r", model: "model-1", usage } };
      const out = relay(stream, `${[created, delta].map(raw).join("")}data: nope\n\n`);
      expect(out).toStrictEqual([
        raw({ ...created, response: { id: "r", model: "acme/model-1" } }),
        raw(delta),
        "data: nope\n\n",
      ]);
      expect(stream.finished()).toBe(false);
      expect(stream.usage()).toStrictEqual({});
      expect(relay(stream, raw(done))).toStrictEqual([
        raw({ ...done, response: { ...done.response, model: "acme/model-1" } }),
      ]);
      expect(stream.finished()).toBe(true);
      expect(stream.usage()).toStrictEqual({ inputTokens: 10, outputTokens: 2, cachedInputTokens: 0 });
      expect(stream.deliveredChars()).toBe(5);
      expect(stream.cut("Cut.")).toBe(
        'event: error\ndata: {"type":"error","code":"upstream_stream_cut","message":"Cut.","param":null,"sequence_number":0}\n\n',
      );
    },
  );

  it("a final event without usage keeps what was noted", () => {
    const stream = responsesToResponses.stream(ctx());
    relay(stream, `data: ${JSON.stringify({ type: "response.completed", response: { id: "r" } })}\n\n`);
    expect(stream.finished()).toBe(true);
    expect(stream.usage()).toStrictEqual({});
  });
});

describe("embeddings (pass-through)", () => {
  it("swaps the model, never forwards who the user is, bills the input only", () => {
    expect(embeddingsToEmbeddings.request({ model: model.id, input: "Hi", user: "u" }, ctx())).toStrictEqual({
      model: "model-1",
      input: "Hi",
    });
    const upstream = { object: "list", data: [], usage: { prompt_tokens: 4, total_tokens: 4 } };
    expect(embeddingsToEmbeddings.response(upstream, ctx())).toStrictEqual({
      body: upstream,
      usage: { inputTokens: 4, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 },
    });
    expect(() => embeddingsToEmbeddings.stream(ctx())).toThrow("embeddings do not stream");
  });
});

describe("Responses → Messages → Chat (composed)", () => {
  const composed = translationFor("openai", provider("openai"), "responses");

  beforeEach(() => {
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    let n = 0;
    vi.spyOn(crypto, "randomUUID").mockImplementation(
      () => `00000000-0000-0000-0000-00000000000${++n}` as ReturnType<typeof crypto.randomUUID>,
    );
  });

  it("translates the request through both", () => {
    const body = {
      model: model.id,
      input: "Hi",
      instructions: "Be brief.",
      max_output_tokens: 9,
      stream: true,
    };
    expect(composed.request(body, ctx(body))).toStrictEqual({
      model: "model-1",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "Hi" }] },
      ],
      max_tokens: 9,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("answers through both, with the inner usage", () => {
    const upstream = {
      id: "c1",
      choices: [{ index: 0, message: { content: "Hello" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 5, completion_tokens: 1 },
    };
    const { body, usage } = composed.response(upstream, ctx({ input: "Hi" })) as { body: Json; usage: Json };
    expect(usage).toStrictEqual({
      inputTokens: 5,
      outputTokens: 1,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(body.id).toBe("resp_msg_c1");
    expect(body.output).toStrictEqual([
      {
        id: "msg_00000000000000000000000000000001",
        type: "message",
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: "Hello", annotations: [], logprobs: [] }],
      },
    ]);
    expect(body.usage).toStrictEqual({
      input_tokens: 5,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 1,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 6,
    });
  });

  it("streams chat chunks through Messages events into Responses events", () => {
    const stream = composed.stream(ctx({ input: "Hi", stream: true }));
    const chunks = [
      { id: "c1", choices: [{ index: 0, delta: { content: "Hel" } }] },
      { id: "c1", choices: [{ index: 0, delta: { content: "lo" }, finish_reason: "stop" }] },
      { id: "c1", choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } },
    ];
    let text = "";
    for (const e of new SseParser().push(
      `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("")}data: [DONE]\n\n`,
    ))
      text += stream.event(e);
    expect(stream.finished()).toBe(true);
    text += stream.end();
    expect(text.startsWith("event: response.created\ndata: ")).toBe(true);
    expect(stream.end()).toBe("");
    const events = new SseParser().push(text).map((e) => JSON.parse(e.data));
    expect(events.map((e) => [e.type, e.sequence_number])).toStrictEqual([
      ["response.created", 0],
      ["response.in_progress", 1],
      ["response.output_item.added", 2],
      ["response.content_part.added", 3],
      ["response.output_text.delta", 4],
      ["response.output_text.delta", 5],
      ["response.output_text.done", 6],
      ["response.content_part.done", 7],
      ["response.output_item.done", 8],
      ["response.completed", 9],
    ]);
    expect(events[0].response.id).toBe("resp_msg_c1");
    expect(events.at(-1).response.usage.total_tokens).toBe(7);
    expect(stream.usage()).toStrictEqual({
      inputTokens: 5,
      outputTokens: 2,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(stream.deliveredChars()).toBe(5);
    expect(stream.cut("Cut.")).toBe(
      'event: error\ndata: {"type":"error","code":"upstream_stream_cut","message":"Cut.","param":null,"sequence_number":10}\n\n',
    );
  });

  it("a chunk that is not JSON passes through neither", () => {
    const stream = composed.stream(ctx({ input: "Hi", stream: true }));
    expect(stream.event({ data: "nope", raw: "data: nope\n\n" })).toBe("");
    expect(stream.finished()).toBe(false);
  });
});

describe("embeddings to Titan (Bedrock InvokeModel)", () => {
  it("sends one text with the dimensions and normalize, never who the user is", () => {
    expect(titanEmbeddings.request({ input: ["Hi"], dimensions: 512, user: "u" }, ctx())).toStrictEqual({
      model: "model-1",
      inputText: "Hi",
      dimensions: 512,
      normalize: true,
    });
    expect(titanEmbeddings.request({ input: "Hi" }, ctx())).toStrictEqual({
      model: "model-1",
      inputText: "Hi",
      normalize: true,
    });
  });

  it.each([
    [{ input: ["a", "b"] }, "input", "Titan embeds one text per request."],
    [{ input: [] }, "input", "Titan embeds one text per request."],
    [{ input: [1, 2] }, "input", "only text translates."],
    [{ input: "a", dimensions: 768 }, "dimensions", "Titan offers 256, 512, 1024."],
  ])("refuses %j naming %s", (body, param, why) => {
    expect(() => titanEmbeddings.request(body, ctx())).toThrow(
      expect.objectContaining({
        status: 400,
        message: `'${param}' cannot be sent to a Bedrock Titan model: ${why}`,
        options: { param, code: "untranslatable_parameter" },
      }),
    );
  });

  it("answers OpenAI's list with the exact token count, floats or base64 as asked", () => {
    const upstream = { embedding: [0.5, -0.25], inputTextTokenCount: 6 };
    expect(titanEmbeddings.response(upstream, ctx())).toStrictEqual({
      body: {
        object: "list",
        data: [{ object: "embedding", index: 0, embedding: [0.5, -0.25] }],
        model: model.id,
        usage: { prompt_tokens: 6, total_tokens: 6 },
      },
      usage: { inputTokens: 6, outputTokens: 0 },
    });
    const encoded = titanEmbeddings.response(upstream, ctx({ encoding_format: "base64" })).body as Json;
    expect(encoded.data[0].embedding).toBe(
      Buffer.from(new Float32Array([0.5, -0.25]).buffer).toString("base64"),
    );
    expect(() => titanEmbeddings.stream(ctx())).toThrow("embeddings do not stream");
  });

  it("falls back to the estimate, unmetered as exact, when Titan sends no count", () => {
    const { body, usage } = titanEmbeddings.response({ embedding: [] }, ctx({ input: "Hi" }));
    expect(usage).toBeUndefined();
    const estimate = ctx({ input: "Hi" }).estimatedInput;
    expect(estimate).toBeGreaterThan(0);
    expect((body as Json).usage.prompt_tokens).toBe(estimate);
  });
});
