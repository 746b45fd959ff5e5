// Anthropic Messages → OpenAI Chat Completions (an Anthropic-dialect client, an OpenAI model), table by table,
// each output asserted whole: requests field by field, whole answers, and recorded Chat Completions streams
// replayed into Anthropic's events (message_start, content blocks, message_delta with the stop reason and usage,
// message_stop).
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CatalogueModel } from "#worker/ai/catalogue/model";
import { SseParser } from "#worker/ai/sse";
import { translationFor } from "#worker/ai/translate";
import type { Json } from "#worker/ai/translate/types";
import { provider, translationContext } from "./support/translation";

const model = { id: "openai/gpt-4o-mini", upstreamModel: "gpt-4o-mini" } as CatalogueModel;
const t = translationFor("anthropic", provider("openai"), "chat");
const hi = [{ role: "user", content: "Hi" }];

afterEach(() => {
  vi.restoreAllMocks();
});

const translate = (body: Json) => {
  const full = { model: model.id, max_tokens: 100, ...body };
  return t.request(full, translationContext(model, full));
};

function refusal(body: Json) {
  try {
    translate(body);
  } catch (error) {
    const e = error as Json;
    return { status: e.status, message: e.message, param: e.options.param, code: e.options.code };
  }
  throw new Error("the request was translated");
}
const untranslatable = (param: string, why: string) => ({
  status: 400,
  message: `'${param}' cannot be sent to an OpenAI model: ${why}`,
  param,
  code: "untranslatable_parameter",
});

describe("a Messages request → a Chat Completions request", () => {
  const base = { model: "gpt-4o-mini", max_tokens: 100 };
  it.each<[string, Json, Json]>([
    ["the least", { messages: hi }, { ...base, messages: hi }],
    [
      "a system string becomes the first message; stop_sequences, temperature 0 and top_p",
      { system: "Be brief.", messages: hi, stop_sequences: ["x"], temperature: 0, top_p: 0.9 },
      {
        ...base,
        messages: [{ role: "system", content: "Be brief." }, ...hi],
        stop: ["x"],
        temperature: 0,
        top_p: 0.9,
      },
    ],
    [
      "system blocks join a blank line apart; an empty stop_sequences is left out",
      {
        system: [
          { type: "text", text: "Be brief." },
          { type: "text", text: "Be kind.", cache_control: { type: "ephemeral" } },
        ],
        messages: hi,
        stop_sequences: [],
      },
      { ...base, messages: [{ role: "system", content: "Be brief.\n\nBe kind." }, ...hi] },
    ],
    [
      "an empty system string is still a system message",
      { system: "", messages: hi },
      { ...base, messages: [{ role: "system", content: "" }, ...hi] },
    ],
    [
      "an assistant string stays a string",
      { messages: [...hi, { role: "assistant", content: "Hello" }] },
      { ...base, messages: [...hi, { role: "assistant", content: "Hello" }] },
    ],
    [
      "assistant blocks: text joined, tool_use to tool_calls (no input is {})",
      {
        messages: [
          ...hi,
          {
            role: "assistant",
            content: [
              { type: "text", text: "Let me " },
              { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Oslo" } },
              { type: "text", text: "look." },
              { type: "tool_use", id: "toolu_2", name: "time" },
            ],
          },
        ],
      },
      {
        ...base,
        messages: [
          ...hi,
          {
            role: "assistant",
            content: "Let me look.",
            tool_calls: [
              {
                id: "toolu_1",
                type: "function",
                function: { name: "weather", arguments: '{"city":"Oslo"}' },
              },
              { id: "toolu_2", type: "function", function: { name: "time", arguments: "{}" } },
            ],
          },
        ],
      },
    ],
    [
      "an assistant turn of tool calls only has content null; an empty one has neither",
      {
        messages: [
          ...hi,
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "time", input: {} }] },
          { role: "assistant", content: [] },
        ],
      },
      {
        ...base,
        messages: [
          ...hi,
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "toolu_1", type: "function", function: { name: "time", arguments: "{}" } }],
          },
          { role: "assistant", content: null },
        ],
      },
    ],
    [
      "a user turn: tool results first as tool messages, then text and images as one user message",
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Here:" },
              { type: "tool_result", tool_use_id: "toolu_1", content: "12°C" },
              {
                type: "tool_result",
                tool_use_id: "toolu_2",
                content: [
                  { type: "text", text: "14:00" },
                  { type: "text", text: "UTC" },
                ],
              },
              { type: "tool_result", tool_use_id: "toolu_3" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBO" } },
              { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
            ],
          },
        ],
      },
      {
        ...base,
        messages: [
          { role: "tool", tool_call_id: "toolu_1", content: "12°C" },
          { role: "tool", tool_call_id: "toolu_2", content: "14:00\nUTC" },
          { role: "tool", tool_call_id: "toolu_3", content: "" },
          {
            role: "user",
            content: [
              { type: "text", text: "Here:" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBO" } },
              { type: "image_url", image_url: { url: "https://example.com/a.png" } },
            ],
          },
        ],
      },
    ],
    [
      "a user turn of tool results only is tool messages only",
      {
        messages: [
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "ok" }] },
        ],
      },
      { ...base, messages: [{ role: "tool", tool_call_id: "toolu_1", content: "ok" }] },
    ],
    [
      "custom tools (and tools without a type) become functions; tool_choice auto",
      {
        messages: hi,
        tools: [
          { name: "weather", description: "Weather now.", input_schema: { type: "object" } },
          { type: "custom", name: "time", input_schema: { type: "object", properties: {} } },
        ],
        tool_choice: { type: "auto" },
      },
      {
        ...base,
        messages: hi,
        tools: [
          {
            type: "function",
            function: { name: "weather", description: "Weather now.", parameters: { type: "object" } },
          },
          { type: "function", function: { name: "time", parameters: { type: "object", properties: {} } } },
        ],
        tool_choice: "auto",
      },
    ],
    [
      "tool_choice any is required; disable_parallel_tool_use is parallel_tool_calls false",
      {
        messages: hi,
        tools: [{ name: "time", input_schema: {} }],
        tool_choice: { type: "any", disable_parallel_tool_use: true },
      },
      {
        ...base,
        messages: hi,
        tools: [{ type: "function", function: { name: "time", parameters: {} } }],
        tool_choice: "required",
        parallel_tool_calls: false,
      },
    ],
    [
      "a named tool",
      {
        messages: hi,
        tools: [{ name: "time", input_schema: {} }],
        tool_choice: { type: "tool", name: "time" },
      },
      {
        ...base,
        messages: hi,
        tools: [{ type: "function", function: { name: "time", parameters: {} } }],
        tool_choice: { type: "function", function: { name: "time" } },
      },
    ],
    [
      "tool_choice none; disable_parallel_tool_use without tools is left out",
      { messages: hi, tool_choice: { type: "none", disable_parallel_tool_use: true } },
      { ...base, messages: hi, tool_choice: "none" },
    ],
    [
      "output_config's JSON schema becomes response_format",
      { messages: hi, output_config: { format: { type: "json_schema", schema: { type: "object" } } } },
      {
        ...base,
        messages: hi,
        response_format: {
          type: "json_schema",
          json_schema: { name: "response", schema: { type: "object" }, strict: false },
        },
      },
    ],
    [
      "stream asks for the usage chunk; thinking disabled asks for nothing",
      { messages: hi, stream: true, thinking: { type: "disabled" } },
      { ...base, messages: hi, stream: true, stream_options: { include_usage: true } },
    ],
    ["stream false", { messages: hi, stream: false }, { ...base, messages: hi }],
  ])("%s", (_name, body, expected) => {
    expect(JSON.parse(JSON.stringify(translate(body)))).toStrictEqual(expected);
  });

  it.each<[string, Json, Json]>([
    ["top_k", { messages: hi, top_k: 5 }, untranslatable("top_k", "OpenAI has no such parameter.")],
    [
      "thinking",
      { messages: hi, thinking: { type: "enabled", budget_tokens: 1024 } },
      untranslatable("thinking", "OpenAI has no such parameter."),
    ],
    [
      "service_tier",
      { messages: hi, service_tier: "standard_only" },
      untranslatable("service_tier", "OpenAI has no such parameter."),
    ],
    [
      "container",
      { messages: hi, container: "container_1" },
      untranslatable("container", "OpenAI has no such parameter."),
    ],
    [
      "mcp_servers",
      { messages: hi, mcp_servers: [{ type: "url", url: "https://mcp.example.com", name: "x" }] },
      untranslatable("mcp_servers", "OpenAI has no such parameter."),
    ],
    [
      "a system block that is not text",
      { system: [{ type: "text", text: "a" }, { type: "image" }], messages: hi },
      untranslatable("system.1", "a 'image' block is not allowed here."),
    ],
    [
      "a thinking block in an assistant turn",
      { messages: [...hi, { role: "assistant", content: [{ type: "thinking", thinking: "…" }] }] },
      untranslatable("messages.1.content.0", "a 'thinking' block has no OpenAI equivalent."),
    ],
    [
      "a document block in a user turn",
      { messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "document" }] }] },
      untranslatable("messages.0.content.1", "a 'document' block has no OpenAI equivalent."),
    ],
    [
      "an image in a tool result",
      {
        messages: [
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "image" }] }],
          },
        ],
      },
      untranslatable("messages.0.content.0.content.0", "a 'image' block is not allowed here."),
    ],
    [
      "a file image",
      { messages: [{ role: "user", content: [{ type: "image", source: { type: "file", file_id: "f" } }] }] },
      untranslatable("messages.0.content.0", "only base64 and URL images translate."),
    ],
    [
      "an image without a source",
      { messages: [{ role: "user", content: [{ type: "image" }] }] },
      untranslatable("messages.0.content.0", "only base64 and URL images translate."),
    ],
    [
      "a server tool",
      {
        messages: hi,
        tools: [
          { name: "a", input_schema: {} },
          { type: "web_search_20250305", name: "web_search" },
        ],
      },
      untranslatable("tools.1", "server tool 'web_search_20250305' does not translate."),
    ],
    [
      "an unknown tool_choice",
      { messages: hi, tool_choice: { type: "sometimes" } },
      untranslatable("tool_choice", "unknown tool choice."),
    ],
    [
      "output_config's other formats",
      { messages: hi, output_config: { format: { type: "grammar" } } },
      {
        status: 400,
        message: "'output_config.format.type' grammar cannot be sent to an OpenAI model.",
        param: "output_config.format.type",
        code: "untranslatable_parameter",
      },
    ],
  ])("refuses %s by name", (_name, body, expected) => {
    expect(refusal(body)).toStrictEqual(expected);
  });

  it("refuses a field it does not know", () => {
    expect(refusal({ messages: hi, context_management: { edits: [1] } })).toStrictEqual({
      status: 400,
      message:
        "'context_management' cannot be sent to openai/gpt-4o-mini: this gateway does not know how to translate it (it is passed through only to a provider of the same API).",
      param: "context_management",
      code: "untranslatable_parameter",
    });
  });
});

describe("a Chat Completions answer → a Messages answer", () => {
  const answer = (upstream: Json, body: Json = { messages: hi }) =>
    t.response(upstream, translationContext(model, { model: model.id, max_tokens: 100, ...body })) as {
      body: Json;
      usage: Json;
    };

  it("text then tool calls (arguments parsed; bad or missing JSON is {}), usage in both words", () => {
    expect(
      answer({
        id: "chatcmpl-1",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: "Let me look.",
              tool_calls: [
                {
                  id: "call_1",
                  type: "function",
                  function: { name: "weather", arguments: '{"city":"Oslo"}' },
                },
                { id: "call_2", type: "function", function: { name: "time", arguments: "{" } },
                { id: "call_3", type: "function", function: { name: "date", arguments: "" } },
                { id: "call_4", type: "function" },
              ],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 1_000, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 800 } },
      }),
    ).toStrictEqual({
      usage: { inputTokens: 1_000, outputTokens: 20, cachedInputTokens: 800, cacheWriteTokens: 0 },
      body: {
        id: "msg_chatcmpl-1",
        type: "message",
        role: "assistant",
        model: "openai/gpt-4o-mini",
        content: [
          { type: "text", text: "Let me look." },
          { type: "tool_use", id: "call_1", name: "weather", input: { city: "Oslo" } },
          { type: "tool_use", id: "call_2", name: "time", input: {} },
          { type: "tool_use", id: "call_3", name: "date", input: {} },
          { type: "tool_use", id: "call_4", name: undefined, input: {} },
        ],
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: {
          input_tokens: 200,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 800,
          output_tokens: 20,
        },
      },
    });
  });

  it("an empty answer: no content, end_turn, zero usage, a fresh id", () => {
    vi.spyOn(crypto, "randomUUID").mockReturnValue("0000-1111-2222-3333-4444");
    expect(answer({})).toStrictEqual({
      usage: undefined,
      body: {
        id: "msg_0000-1111-2222-3333-4444",
        type: "message",
        role: "assistant",
        model: "openai/gpt-4o-mini",
        content: [],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: {
          input_tokens: 0,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 0,
        },
      },
    });
  });

  it.each<[string, Json, Json, Json]>([
    ["stop", { finish_reason: "stop" }, {}, { stop_reason: "end_turn", stop_sequence: null }],
    ["length", { finish_reason: "length" }, {}, { stop_reason: "max_tokens", stop_sequence: null }],
    [
      "content_filter",
      { finish_reason: "content_filter" },
      {},
      { stop_reason: "refusal", stop_sequence: null },
    ],
    [
      "function_call",
      { finish_reason: "function_call" },
      {},
      { stop_reason: "tool_use", stop_sequence: null },
    ],
    ["an unknown reason", { finish_reason: "eos" }, {}, { stop_reason: "end_turn", stop_sequence: null }],
    [
      "vLLM's stop_reason naming a stop sequence asked for",
      { finish_reason: "stop", stop_reason: "END" },
      { stop_sequences: ["END"] },
      { stop_reason: "stop_sequence", stop_sequence: "END" },
    ],
    [
      "SGLang's matched_stop naming one",
      { finish_reason: "stop", matched_stop: "END" },
      { stop_sequences: ["x", "END"] },
      { stop_reason: "stop_sequence", stop_sequence: "END" },
    ],
    [
      "a matched stop that was not asked for",
      { finish_reason: "stop", stop_reason: "END" },
      { stop_sequences: ["x"] },
      { stop_reason: "end_turn", stop_sequence: null },
    ],
    [
      "a matched stop without stop_sequences",
      { finish_reason: "stop", matched_stop: "END" },
      {},
      { stop_reason: "end_turn", stop_sequence: null },
    ],
    [
      "a token id as matched_stop",
      { finish_reason: "stop", stop_reason: 2, matched_stop: 2 },
      { stop_sequences: ["2"] },
      { stop_reason: "end_turn", stop_sequence: null },
    ],
    [
      "a matched stop with length",
      { finish_reason: "length", stop_reason: "END" },
      { stop_sequences: ["END"] },
      { stop_reason: "max_tokens", stop_sequence: null },
    ],
  ])("stop: %s", (_name, choice, body, expected) => {
    const out = answer(
      { id: "c", choices: [{ index: 0, message: { content: "x" }, ...choice }] },
      {
        messages: hi,
        ...body,
      },
    );
    expect({ stop_reason: out.body.stop_reason, stop_sequence: out.body.stop_sequence }).toStrictEqual(
      expected,
    );
  });
});

/** A recorded Chat Completions stream (each chunk a data line, then [DONE]). */
const sse = (chunks: Json[], done = true) =>
  chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("") + (done ? "data: [DONE]\n\n" : "");
const c = (delta: Json, finish_reason: string | null = null, extra: Json = {}) => ({
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  model: "gpt-4o-mini",
  choices: [{ index: 0, delta, finish_reason, ...extra }],
});

function replay(upstream: string, body: Json = {}) {
  const stream = t.stream(
    translationContext(model, { model: model.id, max_tokens: 100, messages: hi, stream: true, ...body }),
  );
  const before = stream.finished();
  let text = "";
  for (const event of new SseParser().push(upstream)) text += stream.event(event);
  text += stream.end();
  const events = new SseParser().push(text).map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
  for (const e of events) expect(e.event).toBe(e.data.type);
  return { stream, before, events: events.map((e) => e.data) };
}

const start = (id = "msg_chatcmpl-1") => ({
  type: "message_start",
  message: {
    id,
    type: "message",
    role: "assistant",
    model: "openai/gpt-4o-mini",
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
  },
});
const textStart = (index: number) => ({
  type: "content_block_start",
  index,
  content_block: { type: "text", text: "" },
});
const textDelta = (index: number, text: string) => ({
  type: "content_block_delta",
  index,
  delta: { type: "text_delta", text },
});
const toolStart = (index: number, id: string, name: string) => ({
  type: "content_block_start",
  index,
  content_block: { type: "tool_use", id, name, input: {} },
});
const jsonDelta = (index: number, partial_json: string) => ({
  type: "content_block_delta",
  index,
  delta: { type: "input_json_delta", partial_json },
});
const stop = (index: number) => ({ type: "content_block_stop", index });
const messageDelta = (stop_reason: string, usage: Json, stop_sequence: string | null = null) => ({
  type: "message_delta",
  delta: { stop_reason, stop_sequence },
  usage: {
    input_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 0,
    ...usage,
  },
});
const messageStop = { type: "message_stop" };

describe("a recorded Chat Completions stream → Messages events", () => {
  it("text, then parallel tool calls (each its own block), finish and the usage chunk", () => {
    const { stream, before, events } = replay(
      sse([
        c({ role: "assistant", content: "" }),
        c({ content: "Let me " }),
        c({ content: "look." }),
        c({
          tool_calls: [
            { index: 0, id: "call_a", type: "function", function: { name: "weather", arguments: "" } },
          ],
        }),
        c({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
        c({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
        c({
          tool_calls: [
            {
              index: 1,
              id: "call_b",
              type: "function",
              function: { name: "time", arguments: '{"tz":"UTC"}' },
            },
          ],
        }),
        c({}, "tool_calls"),
        {
          id: "chatcmpl-1",
          choices: [],
          usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 },
        },
      ]),
    );
    expect(events).toStrictEqual([
      start(),
      textStart(0),
      textDelta(0, "Let me "),
      textDelta(0, "look."),
      stop(0),
      toolStart(1, "call_a", "weather"),
      jsonDelta(1, '{"city":'),
      jsonDelta(1, '"Oslo"}'),
      stop(1),
      toolStart(2, "call_b", "time"),
      jsonDelta(2, '{"tz":"UTC"}'),
      stop(2),
      messageDelta("tool_use", { input_tokens: 30, output_tokens: 12 }),
      messageStop,
    ]);
    expect(before).toBe(false);
    expect(stream.finished()).toBe(true);
    expect(stream.usage()).toStrictEqual({
      inputTokens: 30,
      outputTokens: 12,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(stream.deliveredChars()).toBe(
      "Let me look.".length + '{"city":"Oslo"}'.length + '{"tz":"UTC"}'.length,
    );
  });

  it("a tool call without an index is call 0; text after a tool opens a new text block", () => {
    const { events } = replay(
      sse([
        c({ tool_calls: [{ id: "call_a", function: { name: "time" } }] }),
        c({ tool_calls: [{ function: { arguments: "{}" } }] }),
        c({ content: "Done." }),
        c({}, "stop"),
      ]),
    );
    expect(events).toStrictEqual([
      start(),
      toolStart(0, "call_a", "time"),
      jsonDelta(0, "{}"),
      stop(0),
      textStart(1),
      textDelta(1, "Done."),
      stop(1),
      messageDelta("end_turn", { input_tokens: 10 }),
      messageStop,
    ]);
  });

  it("arguments of a call whose block is not the open one go to that call's block", () => {
    const { events } = replay(
      sse([
        c({ tool_calls: [{ index: 0, id: "call_a", function: { name: "a", arguments: '{"x":' } }] }),
        c({ tool_calls: [{ index: 1, id: "call_b", function: { name: "b", arguments: '{"y":2}' } }] }),
        c({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }),
        c({}, "tool_calls"),
      ]),
    );
    expect(events).toStrictEqual([
      start(),
      toolStart(0, "call_a", "a"),
      jsonDelta(0, '{"x":'),
      stop(0),
      toolStart(1, "call_b", "b"),
      jsonDelta(1, '{"y":2}'),
      jsonDelta(0, "1}"),
      stop(1),
      messageDelta("tool_use", { input_tokens: 10 }),
      messageStop,
    ]);
  });

  it("a call's first chunk without an id still opens its block; empty text sends nothing", () => {
    const { events } = replay(
      sse([
        c({ content: "" }),
        c({ tool_calls: [{ index: 2, function: { name: "a", arguments: "" } }] }),
        c({}, "stop"),
      ]),
    );
    expect(events).toStrictEqual([
      start(),
      { type: "content_block_start", index: 0, content_block: { type: "tool_use", name: "a", input: {} } },
      stop(0),
      messageDelta("end_turn", { input_tokens: 10 }),
      messageStop,
    ]);
  });

  it("reports the provider's cache reads and a matched stop sequence in message_delta", () => {
    const { events } = replay(
      sse([
        c({ content: "a" }),
        c({}, "stop", { stop_reason: "END" }),
        {
          id: "chatcmpl-1",
          choices: [],
          usage: {
            prompt_tokens: 1_000,
            completion_tokens: 20,
            prompt_tokens_details: { cached_tokens: 800 },
          },
        },
      ]),
      { stop_sequences: ["END"] },
    );
    expect(events.slice(-2)).toStrictEqual([
      messageDelta(
        "stop_sequence",
        { input_tokens: 200, cache_read_input_tokens: 800, output_tokens: 20 },
        "END",
      ),
      messageStop,
    ]);
  });

  it.each([
    ["stop", "end_turn"],
    ["length", "max_tokens"],
    ["tool_calls", "tool_use"],
    ["content_filter", "refusal"],
  ])("finish_reason %s ends with stop_reason %s", (finish, stopReason) => {
    const { events } = replay(sse([c({ content: "a" }, finish)]));
    expect(events.at(-2)).toStrictEqual(messageDelta(stopReason, { input_tokens: 10 }));
  });

  it("a later chunk without a finish_reason keeps the one given; a chunk without choices or a call without a function sends what it can", () => {
    const { events } = replay(
      sse([
        c({ content: "a" }, "length"),
        c({}),
        { id: "chatcmpl-1" },
        c({ tool_calls: [{ index: 0, id: "call_a", type: "function" }] }),
      ]),
    );
    expect(events).toStrictEqual([
      start(),
      textStart(0),
      textDelta(0, "a"),
      stop(0),
      { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "call_a", input: {} } },
      stop(1),
      messageDelta("max_tokens", { input_tokens: 10 }),
      messageStop,
    ]);
  });

  it("usage in a chunk that also has a choice is noted; a usage without prompt_tokens is not", () => {
    const { stream } = replay(
      sse([
        c({ content: "a" }, "stop", {}),
        { ...c({}), usage: { prompt_tokens: 5, completion_tokens: 1 } },
        { id: "chatcmpl-1", choices: [], usage: { completion_tokens: 9 } },
      ]),
    );
    expect(stream.usage()).toStrictEqual({
      inputTokens: 5,
      outputTokens: 1,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
    });
  });

  it("an upstream that ends at once still gets a whole message, under a fresh id", () => {
    vi.spyOn(crypto, "randomUUID").mockReturnValue("0000-1111-2222-3333-4444");
    const { events } = replay("data: [DONE]\n\n");
    expect(events).toStrictEqual([
      start("msg_0000-1111-2222-3333-4444"),
      messageDelta("end_turn", { input_tokens: 10 }),
      messageStop,
    ]);
  });

  it("a chunk without an id names the message by a fresh one; a chunk without a delta or choices sends only the start", () => {
    vi.spyOn(crypto, "randomUUID").mockReturnValue("0000-1111-2222-3333-4444");
    const { events } = replay(
      sse([{ choices: [{ index: 0, finish_reason: null }] }, { choices: [] }], false),
    );
    expect(events).toStrictEqual([start("msg_0000-1111-2222-3333-4444")]);
  });

  it("skips what is not JSON; an error chunk becomes Anthropic's error event; no [DONE] is not finished", () => {
    const { stream, events } = replay(
      `data: not json\n\n${sse([c({ content: "Hel" }), { error: { message: "Overloaded" } }, { error: {} }], false)}`,
    );
    expect(events).toStrictEqual([
      start(),
      textStart(0),
      textDelta(0, "Hel"),
      { type: "error", error: { type: "api_error", message: "Overloaded" } },
      { type: "error", error: { type: "api_error", message: "Provider error." } },
    ]);
    expect(stream.finished()).toBe(false);
  });

  it("cuts with Anthropic's error event; the end adds nothing", () => {
    const stream = t.stream(translationContext(model, { model: model.id, messages: hi }));
    expect(stream.cut("Upstream closed early.")).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"Upstream closed early."}}\n\n',
    );
    expect(stream.end()).toBe("");
  });
});
