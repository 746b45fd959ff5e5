// OpenAI Chat Completions ↔ Anthropic Messages (an OpenAI-dialect client, an Anthropic model), table by table,
// each output asserted whole: requests field by field, whole answers, and recorded Anthropic streams (the event
// sequence of Anthropic's streaming reference: message_start, content_block_start/delta/stop for text, tool_use
// with input_json_delta and thinking, ping, message_delta with usage and stop_reason, message_stop, error)
// replayed into Chat Completions chunks.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CatalogueModel } from "#worker/ai/catalogue/model";
import { SseParser } from "#worker/ai/sse";
import { translationFor } from "#worker/ai/translate";
import type { Json } from "#worker/ai/translate/types";
import { provider, translationContext } from "./support/translation";

const model: CatalogueModel = {
  id: "anthropic/claude-haiku-4-5",
  provider: "anthropic",
  upstreamModel: "claude-haiku-4-5",
  kind: "chat",
  inputMicrosPerM: 1_000_000,
  outputMicrosPerM: 5_000_000,
  cachedInputMicrosPerM: 100_000,
  cacheWriteMicrosPerM: 1_250_000,
  capabilities: ["tools", "vision", "structured_output"],
  contextTokens: 200_000,
  maxOutputTokens: 64_000,
  structuredOutput: true,
};
/** A model without Anthropic's output_config: structured output goes through a forced tool. */
const olderModel: CatalogueModel = { ...model, id: "anthropic/claude-3-haiku", structuredOutput: false };
const t = translationFor("openai", provider("anthropic"), "chat");
const hi = [{ role: "user", content: "Hi" }];
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const CREATED = NOW / 1000;

beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const translate = (body: Json, m: CatalogueModel = model) => {
  const full = { model: m.id, ...body };
  return t.request(full, translationContext(m, full));
};

/** What a refused request threw: status, message, param and code. */
function refusal(body: Json, m: CatalogueModel = model) {
  try {
    translate(body, m);
  } catch (error) {
    const e = error as Json;
    return { status: e.status, message: e.message, param: e.options.param, code: e.options.code };
  }
  throw new Error("the request was translated");
}
const untranslatable = (param: string, why: string) => ({
  status: 400,
  message: `'${param}' cannot be sent to an Anthropic model: ${why}`,
  param,
  code: "untranslatable_parameter",
});

describe("a Chat Completions request → a Messages request", () => {
  const base = { model: "claude-haiku-4-5", max_tokens: 4096 };
  it.each<[string, Json, Json]>([
    ["the least: max_tokens defaults", { messages: hi }, { ...base, messages: hi }],
    [
      "max_completion_tokens wins over max_tokens",
      { messages: hi, max_tokens: 10, max_completion_tokens: 20 },
      { ...base, messages: hi, max_tokens: 20 },
    ],
    ["max_tokens", { messages: hi, max_tokens: 10 }, { ...base, messages: hi, max_tokens: 10 }],
    [
      "system and developer messages join the system field, a blank line apart; text parts a line apart",
      {
        messages: [
          { role: "system", content: "Be brief." },
          ...hi,
          {
            role: "developer",
            content: [
              { type: "text", text: "Answer in French." },
              { type: "text", text: "No lists." },
            ],
          },
        ],
      },
      { ...base, messages: hi, system: "Be brief.\n\nAnswer in French.\nNo lists." },
    ],
    [
      "a system message without content is an empty line",
      { messages: [{ role: "system", content: null }, { role: "system" }, ...hi] },
      { ...base, messages: hi, system: "\n\n" },
    ],
    [
      "stop as a string becomes a list; temperature 0 and top_p are kept",
      { messages: hi, stop: "END", temperature: 0, top_p: 0.5 },
      { ...base, messages: hi, stop_sequences: ["END"], temperature: 0, top_p: 0.5 },
    ],
    [
      "stop as a list; temperature 1 is Anthropic's highest",
      { messages: hi, stop: ["a", "b"], temperature: 1 },
      { ...base, messages: hi, stop_sequences: ["a", "b"], temperature: 1 },
    ],
    [
      "null settings are left out; n 1 and stream false ask for nothing",
      { messages: hi, stop: null, temperature: null, top_p: null, n: 1, stream: false },
      { ...base, messages: hi },
    ],
    ["stream", { messages: hi, stream: true }, { ...base, messages: hi, stream: true }],
    [
      "user content parts: text, a base64 image (any subtype, across lines), an https image",
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: "data:image/svg+xml;base64,PHN2\nZz4=" } },
              { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
            ],
          },
        ],
      },
      {
        ...base,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image", source: { type: "base64", media_type: "image/svg+xml", data: "PHN2\nZz4=" } },
              { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
            ],
          },
        ],
      },
    ],
    [
      "an assistant turn: its text, then its tool calls with parsed arguments (empty arguments are {})",
      {
        messages: [
          ...hi,
          {
            role: "assistant",
            content: [
              { type: "text", text: "Let me look." },
              { type: "text", text: "One moment." },
            ],
            tool_calls: [
              { id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
              { id: "call_2", type: "function", function: { name: "time", arguments: "" } },
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
            content: [
              { type: "text", text: "Let me look.\nOne moment." },
              { type: "tool_use", id: "call_1", name: "weather", input: { city: "Oslo" } },
              { type: "tool_use", id: "call_2", name: "time", input: {} },
            ],
          },
        ],
      },
    ],
    [
      "an assistant turn without text has no text block; one without anything is empty",
      {
        messages: [
          ...hi,
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "call_1", type: "function", function: { name: "time", arguments: "{}" } }],
          },
          { role: "assistant", content: "" },
        ],
      },
      {
        ...base,
        messages: [
          ...hi,
          { role: "assistant", content: [{ type: "tool_use", id: "call_1", name: "time", input: {} }] },
          { role: "assistant", content: [] },
        ],
      },
    ],
    [
      "consecutive tool results answer one turn: one user message; a later one starts another",
      {
        messages: [
          ...hi,
          { role: "assistant", content: null },
          { role: "tool", tool_call_id: "call_1", content: "12°C" },
          { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "14:00" }] },
          { role: "user", content: [{ type: "text", text: "And?" }] },
          { role: "tool", tool_call_id: "call_3", content: "late" },
          ...hi,
          { role: "tool", tool_call_id: "call_4", content: "later" },
        ],
      },
      {
        ...base,
        messages: [
          ...hi,
          { role: "assistant", content: [] },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: "call_1", content: "12°C" },
              { type: "tool_result", tool_use_id: "call_2", content: "14:00" },
            ],
          },
          { role: "user", content: [{ type: "text", text: "And?" }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "call_3", content: "late" }] },
          ...hi,
          { role: "user", content: [{ type: "tool_result", tool_use_id: "call_4", content: "later" }] },
        ],
      },
    ],
    [
      "a tool result first in the conversation",
      { messages: [{ role: "tool", tool_call_id: "call_1", content: null }] },
      {
        ...base,
        messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "" }] }],
      },
    ],
    [
      "function tools (parameters default to an empty object schema); tool_choice auto",
      {
        messages: hi,
        tools: [
          {
            type: "function",
            function: {
              name: "weather",
              description: "Weather now.",
              parameters: { type: "object", properties: { city: { type: "string" } } },
            },
          },
          { type: "function", function: { name: "time" } },
        ],
        tool_choice: "auto",
      },
      {
        ...base,
        messages: hi,
        tools: [
          {
            name: "weather",
            description: "Weather now.",
            input_schema: { type: "object", properties: { city: { type: "string" } } },
          },
          { name: "time", input_schema: { type: "object", properties: {} } },
        ],
        tool_choice: { type: "auto" },
      },
    ],
    [
      "tool_choice required is any; parallel_tool_calls false disables parallel use",
      {
        messages: hi,
        tools: [{ type: "function", function: { name: "time" } }],
        tool_choice: "required",
        parallel_tool_calls: false,
      },
      {
        ...base,
        messages: hi,
        tools: [{ name: "time", input_schema: { type: "object", properties: {} } }],
        tool_choice: { type: "any", disable_parallel_tool_use: true },
      },
    ],
    [
      "parallel_tool_calls false without a tool_choice is auto without parallel use",
      { messages: hi, tools: [{ type: "function", function: { name: "time" } }], parallel_tool_calls: false },
      {
        ...base,
        messages: hi,
        tools: [{ name: "time", input_schema: { type: "object", properties: {} } }],
        tool_choice: { type: "auto", disable_parallel_tool_use: true },
      },
    ],
    [
      "auto with parallel_tool_calls false",
      {
        messages: hi,
        tools: [{ type: "function", function: { name: "time" } }],
        tool_choice: "auto",
        parallel_tool_calls: false,
      },
      {
        ...base,
        messages: hi,
        tools: [{ name: "time", input_schema: { type: "object", properties: {} } }],
        tool_choice: { type: "auto", disable_parallel_tool_use: true },
      },
    ],
    [
      "a named function; parallel_tool_calls true asks for nothing",
      {
        messages: hi,
        tools: [{ type: "function", function: { name: "time" } }],
        tool_choice: { type: "function", function: { name: "time" } },
        parallel_tool_calls: true,
      },
      {
        ...base,
        messages: hi,
        tools: [{ name: "time", input_schema: { type: "object", properties: {} } }],
        tool_choice: { type: "tool", name: "time" },
      },
    ],
    [
      "a named function without parallel use",
      {
        messages: hi,
        tools: [{ type: "function", function: { name: "time" } }],
        tool_choice: { type: "function", function: { name: "time" } },
        parallel_tool_calls: false,
      },
      {
        ...base,
        messages: hi,
        tools: [{ name: "time", input_schema: { type: "object", properties: {} } }],
        tool_choice: { type: "tool", name: "time", disable_parallel_tool_use: true },
      },
    ],
    [
      "tool_choice none is sent even without tools, and never with disable_parallel_tool_use",
      { messages: hi, tool_choice: "none", parallel_tool_calls: false },
      { ...base, messages: hi, tool_choice: { type: "none" } },
    ],
    [
      "tool_choice null is no choice (the schema accepts null for every optional field)",
      { messages: hi, tools: [{ type: "function", function: { name: "time" } }], tool_choice: null },
      { ...base, messages: hi, tools: [{ name: "time", input_schema: { type: "object", properties: {} } }] },
    ],
    [
      "tool_choice null with parallel_tool_calls false",
      {
        messages: hi,
        tools: [{ type: "function", function: { name: "time" } }],
        tool_choice: null,
        parallel_tool_calls: false,
      },
      {
        ...base,
        messages: hi,
        tools: [{ name: "time", input_schema: { type: "object", properties: {} } }],
        tool_choice: { type: "auto", disable_parallel_tool_use: true },
      },
    ],
    [
      "a tool result after a user turn without content starts its own message",
      {
        messages: [
          { role: "user", content: [] },
          { role: "tool", tool_call_id: "c", content: "ok" },
        ],
      },
      {
        ...base,
        messages: [
          { role: "user", content: [] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "c", content: "ok" }] },
        ],
      },
    ],
    [
      "a tool_choice without tools is left out",
      { messages: hi, tool_choice: "auto", tools: [] },
      { ...base, messages: hi },
    ],
    [
      "parallel_tool_calls false without tools is left out",
      { messages: hi, parallel_tool_calls: false },
      { ...base, messages: hi },
    ],
    [
      "a JSON schema to a model with output_config",
      {
        messages: hi,
        response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } },
      },
      {
        ...base,
        messages: hi,
        output_config: { format: { type: "json_schema", schema: { type: "object" } } },
      },
    ],
  ])("%s", (_name, body, expected) => {
    expect(JSON.parse(JSON.stringify(translate(body)))).toStrictEqual(expected);
  });

  it("sends a JSON format to an older model as a forced tool", () => {
    expect(translate({ messages: hi, response_format: { type: "json_object" } }, olderModel)).toStrictEqual({
      ...base,
      messages: hi,
      tools: [
        { name: "json_response", description: "Answer with this JSON.", input_schema: { type: "object" } },
      ],
      tool_choice: { type: "tool", name: "json_response" },
    });
  });

  it("leaves out the description a tool has none of (undefined, not sent)", () => {
    const out = translate({
      messages: hi,
      tools: [{ type: "function", function: { name: "time" } }],
    }) as Json;
    expect(out.tools).toStrictEqual([
      { name: "time", description: undefined, input_schema: { type: "object", properties: {} } },
    ]);
    expect(Object.keys(out)).toEqual(["model", "messages", "max_tokens", "tools"]);
  });

  it.each<[string, Json, Json]>([
    ["n above 1", { messages: hi, n: 2 }, untranslatable("n", "Anthropic returns one choice.")],
    [
      "a temperature above 1",
      { messages: hi, temperature: 1.5 },
      untranslatable("temperature", "Anthropic accepts 0 to 1."),
    ],
    [
      "a non-text part in a system message",
      {
        messages: [
          { role: "system", content: [{ type: "image_url", image_url: { url: "https://x" } }] },
          ...hi,
        ],
      },
      untranslatable("messages.0.content", "only text is allowed here."),
    ],
    [
      "a non-text part in an assistant turn",
      { messages: [...hi, { role: "assistant", content: [{ type: "refusal", refusal: "no" }] }] },
      untranslatable("messages.1.content", "only text is allowed here."),
    ],
    [
      "a json_schema without a schema",
      { messages: hi, response_format: { type: "json_schema", json_schema: { name: "x" } } },
      {
        status: 400,
        message: "'response_format' needs a schema.",
        param: "response_format",
        code: "invalid_request",
      },
    ],
    [
      "a non-text part in a tool result",
      { messages: [...hi, { role: "tool", tool_call_id: "c", content: [{ type: "image_url" }] }] },
      untranslatable("messages.1.content", "only text is allowed here."),
    ],
    [
      "an audio part",
      { messages: [{ role: "user", content: [{ type: "text", text: "x" }, { type: "input_audio" }] }] },
      untranslatable("messages.0.content.1", "content of type 'input_audio' has no Anthropic equivalent."),
    ],
    [
      "an http image",
      {
        messages: [
          { role: "user", content: [{ type: "image_url", image_url: { url: "http://example.com/a.png" } }] },
        ],
      },
      untranslatable("messages.0.content.0", "images must be https URLs or base64 data URLs."),
    ],
    [
      "an image without a URL",
      { messages: [{ role: "user", content: [{ type: "image_url" }] }] },
      untranslatable("messages.0.content.0", "images must be https URLs or base64 data URLs."),
    ],
    [
      "an https URL not at the start",
      {
        messages: [
          { role: "user", content: [{ type: "image_url", image_url: { url: "see https://x.com/a.png" } }] },
        ],
      },
      untranslatable("messages.0.content.0", "images must be https URLs or base64 data URLs."),
    ],
    [
      "a data URL that is not an image",
      {
        messages: [
          {
            role: "user",
            content: [{ type: "image_url", image_url: { url: "data:text/plain;base64,aGk=" } }],
          },
        ],
      },
      untranslatable("messages.0.content.0", "images must be https URLs or base64 data URLs."),
    ],
    [
      "a data URL with a prefix",
      {
        messages: [
          {
            role: "user",
            content: [{ type: "image_url", image_url: { url: "xdata:image/png;base64,aGk=" } }],
          },
        ],
      },
      untranslatable("messages.0.content.0", "images must be https URLs or base64 data URLs."),
    ],
    [
      "a data URL not in base64",
      {
        messages: [
          { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png,aGk=" } }] },
        ],
      },
      untranslatable("messages.0.content.0", "images must be https URLs or base64 data URLs."),
    ],
    [
      "a function-role message",
      { messages: [...hi, { role: "function", name: "f", content: "x" }] },
      untranslatable("messages.1.role", "role 'function' has no Anthropic equivalent."),
    ],
    [
      "a tool that is not a function",
      {
        messages: hi,
        tools: [
          { type: "function", function: { name: "a" } },
          { type: "custom", custom: {} },
        ],
      },
      untranslatable("tools.1.type", "only function tools translate."),
    ],
    [
      "an unknown tool_choice",
      { messages: hi, tools: [{ type: "function", function: { name: "a" } }], tool_choice: "sometimes" },
      untranslatable("tool_choice", "unknown tool choice."),
    ],
    [
      "arguments that are not JSON",
      {
        messages: [
          ...hi,
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "c", type: "function", function: { name: "a", arguments: "{" } }],
          },
        ],
      },
      {
        status: 400,
        message: "Tool call arguments must be JSON.",
        param: "messages.1.tool_calls.0.function.arguments",
        code: "invalid_request",
      },
    ],
    [
      "logit_bias",
      { messages: hi, logit_bias: { "1": 2 } },
      untranslatable("logit_bias", "Anthropic has no such parameter."),
    ],
    [
      "reasoning_effort",
      { messages: hi, reasoning_effort: "high" },
      untranslatable("reasoning_effort", "Anthropic has no such parameter."),
    ],
  ])("refuses %s by name", (_name, body, expected) => {
    expect(refusal(body)).toStrictEqual(expected);
  });

  it("refuses a field it does not know instead of dropping it", () => {
    expect(refusal({ messages: hi, guided_json: { type: "object" } })).toStrictEqual({
      status: 400,
      message:
        "'guided_json' cannot be sent to anthropic/claude-haiku-4-5: this gateway does not know how to translate it (it is passed through only to a provider of the same API).",
      param: "guided_json",
      code: "untranslatable_parameter",
    });
  });
});

describe("a Messages answer → a Chat Completions answer", () => {
  const answer = (upstream: Json, body: Json = { messages: hi }, m: CatalogueModel = model) =>
    t.response(upstream, translationContext(m, { model: m.id, ...body })) as { body: Json; usage: Json };
  const choice = (message: Json, finish_reason: string) => ({
    index: 0,
    message: { role: "assistant", ...message, refusal: null },
    finish_reason,
    logprobs: null,
  });

  it("joins text blocks and turns tool_use blocks into tool_calls, with usage in both words", () => {
    const out = answer({
      id: "msg_1",
      type: "message",
      role: "assistant",
      content: [
        { type: "text", text: "Let me look. " },
        { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Oslo" } },
        { type: "text", text: "And the time." },
        { type: "tool_use", id: "toolu_2", name: "time" },
      ],
      stop_reason: "tool_use",
      usage: {
        input_tokens: 150,
        cache_read_input_tokens: 800,
        cache_creation_input_tokens: 50,
        output_tokens: 20,
      },
    });
    expect(out).toStrictEqual({
      usage: { inputTokens: 1_000, outputTokens: 20, cachedInputTokens: 800, cacheWriteTokens: 50 },
      body: {
        id: "chatcmpl-msg_1",
        object: "chat.completion",
        created: CREATED,
        model: "anthropic/claude-haiku-4-5",
        choices: [
          choice(
            {
              content: "Let me look. And the time.",
              tool_calls: [
                {
                  id: "toolu_1",
                  type: "function",
                  function: { name: "weather", arguments: '{"city":"Oslo"}' },
                },
                { id: "toolu_2", type: "function", function: { name: "time", arguments: "{}" } },
              ],
            },
            "tool_calls",
          ),
        ],
        usage: {
          prompt_tokens: 1_000,
          completion_tokens: 20,
          total_tokens: 1_020,
          prompt_tokens_details: { cached_tokens: 800 },
        },
      },
    });
  });

  it("answers tool calls alone with content null", () => {
    const out = answer({
      id: "msg_2",
      content: [{ type: "tool_use", id: "toolu_1", name: "time", input: {} }],
      stop_reason: "tool_use",
      usage: { input_tokens: 5, output_tokens: 3 },
    });
    expect(out.body.choices).toStrictEqual([
      choice(
        {
          content: null,
          tool_calls: [{ id: "toolu_1", type: "function", function: { name: "time", arguments: "{}" } }],
        },
        "tool_calls",
      ),
    ]);
    expect(out.body.usage).toStrictEqual({
      prompt_tokens: 5,
      completion_tokens: 3,
      total_tokens: 8,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it("answers an empty message with empty content, finish_reason stop and no usage it was not told", () => {
    vi.spyOn(crypto, "randomUUID").mockReturnValue("0000-1111-2222-3333-4444");
    expect(answer({ stop_reason: null })).toStrictEqual({
      usage: undefined,
      body: {
        id: "chatcmpl-0000-1111-2222-3333-4444",
        object: "chat.completion",
        created: CREATED,
        model: "anthropic/claude-haiku-4-5",
        choices: [choice({ content: "" }, "stop")],
      },
    });
  });

  it("gives no usage when the output count is missing", () => {
    const out = answer({ id: "m", content: [], stop_reason: "end_turn", usage: { input_tokens: 5 } });
    expect(out.usage).toBeUndefined();
    expect("usage" in out.body).toBe(false);
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["pause_turn", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    ["model_context_window_exceeded", "stop"],
  ])("maps stop_reason %s to finish_reason %s", (stop_reason, finish) => {
    const out = answer({ id: "m", content: [{ type: "text", text: "x" }], stop_reason });
    expect(out.body.choices[0].finish_reason).toBe(finish);
  });

  it("unwraps the forced tool of an older model into the JSON text asked for", () => {
    const out = answer(
      {
        id: "msg_3",
        content: [{ type: "tool_use", id: "toolu_1", name: "json_response", input: { answer: 42 } }],
        stop_reason: "tool_use",
        usage: { input_tokens: 5, output_tokens: 3 },
      },
      { messages: hi, response_format: { type: "json_object" } },
      olderModel,
    );
    expect(out.body.model).toBe("anthropic/claude-3-haiku");
    expect(out.body.choices).toStrictEqual([choice({ content: '{"answer":42}' }, "stop")]);
  });

  it("leaves a model with output_config alone: its tool call stays a tool call", () => {
    const out = answer(
      {
        id: "msg_4",
        content: [{ type: "tool_use", id: "toolu_1", name: "json_response", input: {} }],
        stop_reason: "tool_use",
      },
      {
        messages: hi,
        response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } },
      },
    );
    expect(out.body.choices[0].finish_reason).toBe("tool_calls");
    expect(out.body.choices[0].message.tool_calls).toHaveLength(1);
  });
});

/** A recorded Anthropic stream, one event per entry, in Anthropic's wire form. */
const sse = (events: Json[]) =>
  events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join("");

/** Replays `upstream` (SSE text) through a stream translation; the SSE text it wrote, and its data parsed. */
function replay(
  upstream: string,
  body: Json = {},
  opts: { includeUsage?: boolean; m?: CatalogueModel } = {},
) {
  const m = opts.m ?? model;
  const ctx = { ...translationContext(m, { model: m.id, messages: hi, stream: true, ...body }) };
  if (opts.includeUsage === false) ctx.includeUsage = false;
  const stream = t.stream(ctx);
  const before = stream.finished();
  let text = "";
  for (const event of new SseParser().push(upstream)) text += stream.event(event);
  text += stream.end();
  const data = new SseParser().push(text).map((e) => (e.data === "[DONE]" ? e.data : JSON.parse(e.data)));
  return { stream, before, text, data };
}

const chunk = (delta: Json, finish_reason: string | null = null, id = "chatcmpl-msg_1") => ({
  id,
  object: "chat.completion.chunk",
  created: CREATED,
  model: "anthropic/claude-haiku-4-5",
  choices: [{ index: 0, delta, finish_reason, logprobs: null }],
});
const usageChunk = (usage: Json, id = "chatcmpl-msg_1") => ({
  id,
  object: "chat.completion.chunk",
  created: CREATED,
  model: "anthropic/claude-haiku-4-5",
  choices: [],
  usage,
});
const messageStart = (usage: Json = { input_tokens: 25, output_tokens: 1 }) => ({
  type: "message_start",
  message: {
    id: "msg_1",
    type: "message",
    role: "assistant",
    content: [],
    model: "claude-haiku-4-5",
    stop_reason: null,
    stop_sequence: null,
    usage,
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
const blockStop = (index: number) => ({ type: "content_block_stop", index });
const messageDelta = (stop_reason: string | null, usage: Json = { output_tokens: 15 }) => ({
  type: "message_delta",
  delta: { stop_reason, stop_sequence: null },
  usage,
});
const ping = { type: "ping" };
const messageStop = { type: "message_stop" };

describe("a recorded Messages stream → Chat Completions chunks", () => {
  it("text then a tool (block 1): role, text, the call numbered 0 with its arguments, finish, usage, [DONE]", () => {
    const { stream, before, text, data } = replay(
      sse([
        messageStart(),
        textStart(0),
        ping,
        textDelta(0, "Okay, "),
        textDelta(0, "let me check."),
        blockStop(0),
        toolStart(1, "toolu_01", "get_weather"),
        jsonDelta(1, ""),
        jsonDelta(1, '{"location":'),
        jsonDelta(1, ' "Oslo"}'),
        blockStop(1),
        messageDelta("tool_use", { output_tokens: 89 }),
        messageStop,
      ]),
    );
    expect(data).toStrictEqual([
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Okay, " }),
      chunk({ content: "let me check." }),
      chunk({
        tool_calls: [
          { index: 0, id: "toolu_01", type: "function", function: { name: "get_weather", arguments: "" } },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ' "Oslo"}' } }] }),
      chunk({}, "tool_calls"),
      usageChunk({
        prompt_tokens: 25,
        completion_tokens: 89,
        total_tokens: 114,
        prompt_tokens_details: { cached_tokens: 0 },
      }),
      "[DONE]",
    ]);
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(before).toBe(false);
    expect(stream.finished()).toBe(true);
    expect(stream.usage()).toStrictEqual({
      inputTokens: 25,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 89,
    });
    expect(stream.deliveredChars()).toBe("Okay, let me check.".length + '{"location": "Oslo"}'.length);
  });

  it("parallel tools (blocks 1 and 2, arguments interleaved) keep their own tool_calls index", () => {
    const { data } = replay(
      sse([
        messageStart(),
        textStart(0),
        textDelta(0, "Both."),
        blockStop(0),
        toolStart(1, "toolu_a", "weather"),
        toolStart(2, "toolu_b", "time"),
        jsonDelta(2, '{"tz":"UTC"}'),
        jsonDelta(1, '{"city":"Oslo"}'),
        blockStop(1),
        blockStop(2),
        messageDelta("tool_use"),
        messageStop,
      ]),
    );
    expect(data).toStrictEqual([
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Both." }),
      chunk({
        tool_calls: [
          { index: 0, id: "toolu_a", type: "function", function: { name: "weather", arguments: "" } },
        ],
      }),
      chunk({
        tool_calls: [
          { index: 1, id: "toolu_b", type: "function", function: { name: "time", arguments: "" } },
        ],
      }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '{"tz":"UTC"}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Oslo"}' } }] }),
      chunk({}, "tool_calls"),
      usageChunk({
        prompt_tokens: 25,
        completion_tokens: 15,
        total_tokens: 40,
        prompt_tokens_details: { cached_tokens: 0 },
      }),
      "[DONE]",
    ]);
  });

  it("arguments for a block that never started go to call 0", () => {
    const { data } = replay(sse([messageStart(), jsonDelta(3, "{}")]));
    expect(data).toStrictEqual([
      chunk({ role: "assistant", content: "" }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: "{}" } }] }),
    ]);
  });

  it("thinking is not sent to a Chat client but counts as delivered output; signatures and pings send nothing", () => {
    const { stream, data } = replay(
      sse([
        messageStart(),
        { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "" } },
        {
          type: "content_block_delta",
          index: 0,
          delta: { type: "thinking_delta", thinking: "Two plus two." },
        },
        { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "EqQB" } },
        blockStop(0),
        ping,
        textStart(1),
        textDelta(1, "4"),
        blockStop(1),
        messageDelta("end_turn"),
        messageStop,
      ]),
    );
    expect(data).toStrictEqual([
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "4" }),
      chunk({}, "stop"),
      usageChunk({
        prompt_tokens: 25,
        completion_tokens: 15,
        total_tokens: 40,
        prompt_tokens_details: { cached_tokens: 0 },
      }),
      "[DONE]",
    ]);
    expect(stream.deliveredChars()).toBe("Two plus two.".length + 1);
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    ["pause_turn", "stop"],
    ["something_new", "stop"],
    [null, "stop"],
  ])("stop_reason %s finishes with %s", (stopReason, finish) => {
    const { data } = replay(sse([messageStart(), messageDelta(stopReason)]));
    expect(data).toStrictEqual([chunk({ role: "assistant", content: "" }), chunk({}, finish)]);
  });

  it("a message_delta without a delta finishes with stop", () => {
    const { data } = replay(sse([messageStart(), { type: "message_delta", usage: { output_tokens: 1 } }]));
    expect(data.at(-1)).toStrictEqual(chunk({}, "stop"));
  });

  it("usage with the cache: prompt_tokens counts every input token, cached_tokens the reads", () => {
    const { stream, data } = replay(
      sse([
        messageStart({
          input_tokens: 150,
          cache_read_input_tokens: 800,
          cache_creation_input_tokens: 50,
          output_tokens: 1,
        }),
        textStart(0),
        textDelta(0, "ok"),
        messageDelta("end_turn", { output_tokens: 20 }),
        messageStop,
      ]),
    );
    expect(data.at(-2)).toStrictEqual(
      usageChunk({
        prompt_tokens: 1_000,
        completion_tokens: 20,
        total_tokens: 1_020,
        prompt_tokens_details: { cached_tokens: 800 },
      }),
    );
    expect(stream.usage()).toStrictEqual({
      inputTokens: 1_000,
      cachedInputTokens: 800,
      cacheWriteTokens: 50,
      outputTokens: 20,
    });
  });

  it("input counted only in message_delta (message_start without usage) is taken from there", () => {
    const { stream, data } = replay(
      sse([
        { type: "message_start", message: { id: "msg_1" } },
        messageDelta("end_turn", { input_tokens: 10, cache_read_input_tokens: 4, output_tokens: 3 }),
        messageStop,
      ]),
    );
    expect(data.at(-2)).toStrictEqual(
      usageChunk({
        prompt_tokens: 14,
        completion_tokens: 3,
        total_tokens: 17,
        prompt_tokens_details: { cached_tokens: 4 },
      }),
    );
    expect(stream.usage()).toStrictEqual({
      inputTokens: 14,
      cachedInputTokens: 4,
      cacheWriteTokens: 0,
      outputTokens: 3,
    });
  });

  it.each<[string, Json, Json]>([
    [
      "an input count in message_delta is the final one (cumulative: server tools add input)",
      { input_tokens: 99, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, output_tokens: 3 },
      { inputTokens: 99, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 3 },
    ],
    [
      "cache counts message_delta leaves out keep message_start's",
      { input_tokens: 300, output_tokens: 3 },
      { inputTokens: 1_150, cachedInputTokens: 800, cacheWriteTokens: 50, outputTokens: 3 },
    ],
    [
      "cache counts message_delta gives replace message_start's",
      { input_tokens: 300, cache_read_input_tokens: 900, cache_creation_input_tokens: 0, output_tokens: 3 },
      { inputTokens: 1_200, cachedInputTokens: 900, cacheWriteTokens: 0, outputTokens: 3 },
    ],
    [
      "without an input count, message_start's stand",
      { cache_read_input_tokens: 5, output_tokens: 3 },
      { inputTokens: 1_000, cachedInputTokens: 800, cacheWriteTokens: 50, outputTokens: 3 },
    ],
    [
      "without any count, nothing changes",
      undefined,
      { inputTokens: 1_000, cachedInputTokens: 800, cacheWriteTokens: 50 },
    ],
  ])("usage: %s", (_name, deltaUsage, expected) => {
    const { stream } = replay(
      sse([
        messageStart({
          input_tokens: 150,
          cache_read_input_tokens: 800,
          cache_creation_input_tokens: 50,
          output_tokens: 1,
        }),
        { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: deltaUsage },
      ]),
    );
    expect(stream.usage()).toStrictEqual(expected);
  });

  it("sends no usage chunk to a client that did not ask for one", () => {
    const { data } = replay(
      sse([messageStart(), messageDelta("end_turn"), messageStop]),
      {},
      { includeUsage: false },
    );
    expect(data).toStrictEqual([chunk({ role: "assistant", content: "" }), chunk({}, "stop"), "[DONE]"]);
  });

  it("sends no usage chunk when the output count never came", () => {
    const { stream, data } = replay(
      sse([messageStart(), { type: "message_delta", delta: { stop_reason: "end_turn" } }, messageStop]),
    );
    expect(data).toStrictEqual([chunk({ role: "assistant", content: "" }), chunk({}, "stop"), "[DONE]"]);
    expect(stream.usage()).toStrictEqual({ inputTokens: 25, cachedInputTokens: 0, cacheWriteTokens: 0 });
  });

  it("an error event becomes an OpenAI error chunk, and the stream is not finished", () => {
    const { stream, text } = replay(
      sse([
        messageStart(),
        textStart(0),
        textDelta(0, "Hel"),
        { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
      ]),
    );
    expect(new SseParser().push(text).map((e) => JSON.parse(e.data))).toStrictEqual([
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Hel" }),
      { error: { message: "Overloaded", type: "api_error", code: "upstream_error", param: null } },
    ]);
    expect(stream.finished()).toBe(false);
    expect(stream.deliveredChars()).toBe(3);
  });

  it("an error event without a message says Provider error.", () => {
    const { data } = replay(sse([{ type: "error" }]));
    expect(data).toStrictEqual([
      { error: { message: "Provider error.", type: "api_error", code: "upstream_error", param: null } },
    ]);
  });

  it("skips events that are not JSON or of unknown types, and names a message without an id by a fresh one", () => {
    vi.spyOn(crypto, "randomUUID").mockReturnValue("0000-1111-2222-3333-4444");
    const { data } = replay(
      `event: ping\ndata: not json\n\n${sse([{ type: "message_start", message: {} }, { type: "future_event" }, textDelta(0, "x")])}`,
    );
    const id = "chatcmpl-0000-1111-2222-3333-4444";
    expect(data).toStrictEqual([
      chunk({ role: "assistant", content: "" }, null, id),
      chunk({ content: "x" }, null, id),
    ]);
  });

  it("events before message_start, and a message_start without a message, go under a fresh id", () => {
    vi.spyOn(crypto, "randomUUID")
      .mockReturnValueOnce("0000-1111-2222-3333-4444")
      .mockReturnValueOnce("5555-6666-7777-8888-9999");
    const { data } = replay(sse([textDelta(0, "x"), { type: "message_start" }, textDelta(0, "y")]));
    expect(data).toStrictEqual([
      chunk({ content: "x" }, null, "chatcmpl-0000-1111-2222-3333-4444"),
      chunk({ role: "assistant", content: "" }, null, "chatcmpl-5555-6666-7777-8888-9999"),
      chunk({ content: "y" }, null, "chatcmpl-5555-6666-7777-8888-9999"),
    ]);
  });

  it("a content_block_delta of an unknown type, or without a delta, sends nothing", () => {
    const { data } = replay(
      sse([
        messageStart(),
        { type: "content_block_delta", index: 0, delta: { type: "citations_delta" } },
        { type: "content_block_delta", index: 0 },
        { type: "content_block_start", index: 0 },
      ]),
    );
    expect(data).toStrictEqual([chunk({ role: "assistant", content: "" })]);
  });

  it("cuts with an OpenAI error naming the reason; the end of a clean stream adds nothing", () => {
    const stream = t.stream(translationContext(model, { model: model.id, messages: hi, stream: true }));
    expect(stream.cut("Upstream closed early.")).toBe(
      `data: ${JSON.stringify({ error: { message: "Upstream closed early.", type: "api_error", code: "upstream_stream_cut", param: null } })}\n\n`,
    );
    expect(stream.end()).toBe("");
  });

  it("streams an older model's forced tool as the JSON text, finishing with stop", () => {
    const { data } = replay(
      sse([
        messageStart(),
        toolStart(0, "toolu_1", "json_response"),
        jsonDelta(0, '{"answer":'),
        jsonDelta(0, "42}"),
        blockStop(0),
        messageDelta("tool_use"),
        messageStop,
      ]),
      { response_format: { type: "json_object" } },
      { m: olderModel },
    );
    const older = (c: Json) => ({ ...c, model: "anthropic/claude-3-haiku" });
    expect(data).toStrictEqual([
      older(chunk({ role: "assistant", content: "" })),
      older(chunk({ content: '{"answer":' })),
      older(chunk({ content: "42}" })),
      older(chunk({}, "stop")),
      older(
        usageChunk({
          prompt_tokens: 25,
          completion_tokens: 15,
          total_tokens: 40,
          prompt_tokens_details: { cached_tokens: 0 },
        }),
      ),
      "[DONE]",
    ]);
  });

  it("an older model's other tools still stream as tool calls", () => {
    const { data } = replay(
      sse([messageStart(), toolStart(0, "toolu_1", "weather"), jsonDelta(0, "{}")]),
      { response_format: { type: "json_object" } },
      { m: olderModel },
    );
    expect(data.slice(1).map((c: Json) => c.choices[0].delta)).toStrictEqual([
      {
        tool_calls: [
          { index: 0, id: "toolu_1", type: "function", function: { name: "weather", arguments: "" } },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: "{}" } }] },
    ]);
  });
});
