// OpenAI Responses API → Anthropic Messages (a Responses client, an Anthropic model), table by table, each output
// asserted whole: input items to messages, the answer as a Response object, and recorded Anthropic streams
// replayed into the Responses API's typed events (response.created … output_text.delta … response.completed).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CatalogueModel } from "#worker/ai/catalogue/model";
import { SseParser } from "#worker/ai/sse";
import { translationFor } from "#worker/ai/translate";
import type { Json } from "#worker/ai/translate/types";
import { provider, translationContext } from "./support/translation";

const model = {
  id: "anthropic/claude-haiku-4-5",
  upstreamModel: "claude-haiku-4-5",
  structuredOutput: true,
} as CatalogueModel;
const olderModel = { ...model, id: "anthropic/claude-3-haiku", structuredOutput: false } as CatalogueModel;
const t = translationFor("openai", provider("anthropic"), "responses");
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const CREATED = NOW / 1000;

/** Fresh ids count up: 00000000-0000-0000-0000-000000000001, …002, … */
let uuids = 0;
const hex = (n: number) => n.toString(16).padStart(12, "0");
beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
  uuids = 0;
  vi.spyOn(crypto, "randomUUID").mockImplementation(
    () => `00000000-0000-0000-0000-${hex(++uuids)}` as ReturnType<typeof crypto.randomUUID>,
  );
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});
/** The id the n-th fresh UUID makes with `prefix` (dashes removed). */
const fresh = (prefix: string, n: number) => `${prefix}_00000000000000000000${hex(n)}`;

const translate = (body: Json, m: CatalogueModel = model) => {
  const full = { model: m.id, ...body };
  return t.request(full, translationContext(m, full));
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
  message: `'${param}' cannot be sent to an Anthropic model: ${why}`,
  param,
  code: "untranslatable_parameter",
});
const user = (text: string) => ({ role: "user", content: [{ type: "text", text }] });

describe("a Responses request → a Messages request", () => {
  const base = { model: "claude-haiku-4-5", max_tokens: 4096 };
  it.each<[string, Json, Json]>([
    ["input as a string", { input: "Hi" }, { ...base, messages: [user("Hi")] }],
    [
      "instructions, max_output_tokens, temperature 0, top_p, stream",
      {
        input: "Hi",
        instructions: "Be brief.",
        max_output_tokens: 50,
        temperature: 0,
        top_p: 0.5,
        stream: true,
      },
      {
        ...base,
        max_tokens: 50,
        messages: [user("Hi")],
        system: "Be brief.",
        temperature: 0,
        top_p: 0.5,
        stream: true,
      },
    ],
    [
      "null settings and stream false are left out",
      { input: "Hi", temperature: null, top_p: null, stream: false, reasoning: {} },
      { ...base, messages: [user("Hi")] },
    ],
    [
      "system and developer items join instructions, a blank line apart; text parts a line apart",
      {
        instructions: "Be brief.",
        input: [
          { role: "system", content: "No lists." },
          {
            type: "message",
            role: "developer",
            content: [
              { type: "input_text", text: "French." },
              { type: "text", text: "Polite." },
            ],
          },
          { role: "user", content: "Hi" },
        ],
      },
      { ...base, messages: [user("Hi")], system: "Be brief.\n\nNo lists.\n\nFrench.\nPolite." },
    ],
    [
      "user parts: text, a base64 image, an https image; consecutive user items share a message",
      {
        input: [
          {
            role: "user",
            content: [
              { type: "input_text", text: "What is this?" },
              { type: "input_image", image_url: "data:image/png;base64,iVBO\nRw==" },
            ],
          },
          { role: "user", content: [{ type: "input_image", image_url: "https://example.com/a.png" }] },
        ],
      },
      {
        ...base,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBO\nRw==" } },
              { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
            ],
          },
        ],
      },
    ],
    [
      "an assistant item's output text, its function calls and their outputs (text parts a line apart)",
      {
        input: [
          { role: "user", content: "Weather?" },
          { role: "assistant", content: [{ type: "output_text", text: "Checking." }] },
          { type: "function_call", call_id: "call_1", name: "weather", arguments: '{"city":"Oslo"}' },
          { type: "function_call", call_id: "call_2", name: "time", arguments: "" },
          { type: "function_call", call_id: "call_3", name: "date" },
          { type: "function_call_output", call_id: "call_1", output: "12°C" },
          {
            type: "function_call_output",
            call_id: "call_2",
            output: [
              { type: "input_text", text: "14:00" },
              { type: "output_text", text: "UTC" },
            ],
          },
          { role: "assistant", content: "" },
          { role: "assistant", content: "It is 12°C." },
        ],
      },
      {
        ...base,
        messages: [
          user("Weather?"),
          {
            role: "assistant",
            content: [
              { type: "text", text: "Checking." },
              { type: "tool_use", id: "call_1", name: "weather", input: { city: "Oslo" } },
              { type: "tool_use", id: "call_2", name: "time", input: {} },
              { type: "tool_use", id: "call_3", name: "date", input: {} },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: "call_1", content: "12°C" },
              { type: "tool_result", tool_use_id: "call_2", content: "14:00\nUTC" },
            ],
          },
          { role: "assistant", content: [{ type: "text", text: "It is 12°C." }] },
        ],
      },
    ],
    [
      "function tools (a description only when given, parameters defaulted); tool_choice auto",
      {
        input: "Hi",
        tools: [
          { type: "function", name: "weather", description: "Weather now.", parameters: { type: "object" } },
          { type: "function", name: "time", description: "" },
        ],
        tool_choice: "auto",
      },
      {
        ...base,
        messages: [user("Hi")],
        tools: [
          { name: "weather", description: "Weather now.", input_schema: { type: "object" } },
          { name: "time", input_schema: { type: "object", properties: {} } },
        ],
        tool_choice: { type: "auto" },
      },
    ],
    [
      "required is any; parallel_tool_calls false disables parallel use",
      {
        input: "Hi",
        tools: [{ type: "function", name: "a" }],
        tool_choice: "required",
        parallel_tool_calls: false,
      },
      {
        ...base,
        messages: [user("Hi")],
        tools: [{ name: "a", input_schema: { type: "object", properties: {} } }],
        tool_choice: { type: "any", disable_parallel_tool_use: true },
      },
    ],
    [
      "parallel_tool_calls false alone is auto without parallel use",
      {
        input: "Hi",
        tools: [{ type: "function", name: "a" }],
        tool_choice: null,
        parallel_tool_calls: false,
      },
      {
        ...base,
        messages: [user("Hi")],
        tools: [{ name: "a", input_schema: { type: "object", properties: {} } }],
        tool_choice: { type: "auto", disable_parallel_tool_use: true },
      },
    ],
    [
      "auto with parallel_tool_calls false",
      {
        input: "Hi",
        tools: [{ type: "function", name: "a" }],
        tool_choice: "auto",
        parallel_tool_calls: false,
      },
      {
        ...base,
        messages: [user("Hi")],
        tools: [{ name: "a", input_schema: { type: "object", properties: {} } }],
        tool_choice: { type: "auto", disable_parallel_tool_use: true },
      },
    ],
    [
      "a named function, with and without parallel use",
      { input: "Hi", tools: [{ type: "function", name: "a" }], tool_choice: { type: "function", name: "a" } },
      {
        ...base,
        messages: [user("Hi")],
        tools: [{ name: "a", input_schema: { type: "object", properties: {} } }],
        tool_choice: { type: "tool", name: "a" },
      },
    ],
    [
      "a named function without parallel use",
      {
        input: "Hi",
        tools: [{ type: "function", name: "a" }],
        tool_choice: { type: "function", name: "a" },
        parallel_tool_calls: false,
      },
      {
        ...base,
        messages: [user("Hi")],
        tools: [{ name: "a", input_schema: { type: "object", properties: {} } }],
        tool_choice: { type: "tool", name: "a", disable_parallel_tool_use: true },
      },
    ],
    [
      "none is sent without tools and without disable_parallel_tool_use",
      { input: "Hi", tool_choice: "none", parallel_tool_calls: false },
      { ...base, messages: [user("Hi")], tool_choice: { type: "none" } },
    ],
    [
      "tools without a tool_choice send none; temperature 1 is Anthropic's highest",
      { input: "Hi", tools: [{ type: "function", name: "a" }], temperature: 1 },
      {
        ...base,
        messages: [user("Hi")],
        temperature: 1,
        tools: [{ name: "a", input_schema: { type: "object", properties: {} } }],
      },
    ],
    [
      "a tool_choice without tools is left out",
      { input: "Hi", tool_choice: "required", tools: [] },
      { ...base, messages: [user("Hi")] },
    ],
    [
      "parallel_tool_calls false without tools is left out",
      { input: "Hi", parallel_tool_calls: false },
      { ...base, messages: [user("Hi")] },
    ],
    [
      "text.format json_schema to a model with output_config",
      { input: "Hi", text: { format: { type: "json_schema", name: "x", schema: { type: "object" } } } },
      {
        ...base,
        messages: [user("Hi")],
        output_config: { format: { type: "json_schema", schema: { type: "object" } } },
      },
    ],
  ])("%s", (_name, body, expected) => {
    expect(JSON.parse(JSON.stringify(translate(body)))).toStrictEqual(expected);
  });

  it("sends text.format to an older model as a forced tool", () => {
    expect(translate({ input: "Hi", text: { format: { type: "json_object" } } }, olderModel)).toStrictEqual({
      ...base,
      messages: [user("Hi")],
      tools: [
        { name: "json_response", description: "Answer with this JSON.", input_schema: { type: "object" } },
      ],
      tool_choice: { type: "tool", name: "json_response" },
    });
  });

  it("asks for the chat operation upstream", () => {
    expect(t.upstreamOperation).toBe("chat");
  });

  it.each<[string, Json, Json]>([
    [
      "reasoning settings",
      { input: "Hi", reasoning: { effort: "high" } },
      untranslatable("reasoning", "use an OpenAI model for reasoning settings."),
    ],
    [
      "a temperature above 1",
      { input: "Hi", temperature: 1.2 },
      untranslatable("temperature", "Anthropic accepts 0 to 1."),
    ],
    [
      "an image in a system item",
      { input: [{ role: "system", content: [{ type: "input_text", text: "a" }, { type: "input_image" }] }] },
      untranslatable("input.0.content.1", "only text is allowed here."),
    ],
    [
      "a file part in a user item",
      { input: [{ role: "user", content: [{ type: "input_file", file_id: "f" }] }] },
      untranslatable("input.0.content.0", "content of type 'input_file' has no Anthropic equivalent."),
    ],
    [
      "an http image",
      {
        input: [{ role: "user", content: [{ type: "input_image", image_url: "http://example.com/a.png" }] }],
      },
      untranslatable("input.0.content.0", "images must be https URLs or base64 data URLs."),
    ],
    [
      "an image by file id",
      { input: [{ role: "user", content: [{ type: "input_image", file_id: "f" }] }] },
      untranslatable("input.0.content.0", "images must be https URLs or base64 data URLs."),
    ],
    [
      "a data URL that is not an image",
      {
        input: [
          { role: "user", content: [{ type: "input_image", image_url: "data:text/plain;base64,aGk=" }] },
        ],
      },
      untranslatable("input.0.content.0", "images must be https URLs or base64 data URLs."),
    ],
    [
      "an https URL not at the start",
      {
        input: [
          { role: "user", content: [{ type: "input_image", image_url: " https://example.com/a.png" }] },
        ],
      },
      untranslatable("input.0.content.0", "images must be https URLs or base64 data URLs."),
    ],
    [
      "a data URL with a prefix",
      {
        input: [
          { role: "user", content: [{ type: "input_image", image_url: "xdata:image/png;base64,aGk=" }] },
        ],
      },
      untranslatable("input.0.content.0", "images must be https URLs or base64 data URLs."),
    ],
    [
      "a refusal part in an assistant item",
      { input: [{ role: "assistant", content: [{ type: "refusal", refusal: "no" }] }] },
      untranslatable("input.0.content.0", "only text is allowed here."),
    ],
    [
      "a json_schema without a schema",
      { input: "Hi", text: { format: { type: "json_schema", name: "x" } } },
      {
        status: 400,
        message: "'text.format' needs a schema.",
        param: "text.format",
        code: "invalid_request",
      },
    ],
    [
      "a message without a role",
      { input: [{ type: "message", content: "x" }] },
      { status: 400, message: "A message needs a role.", param: "input.0.role", code: "invalid_request" },
    ],
    [
      "arguments that are not JSON",
      {
        input: [
          { role: "user", content: "a" },
          { type: "function_call", call_id: "c", name: "f", arguments: "{" },
        ],
      },
      {
        status: 400,
        message: "Function call arguments must be JSON.",
        param: "input.1.arguments",
        code: "invalid_request",
      },
    ],
    [
      "an output that is neither a string nor text parts",
      { input: [{ type: "function_call_output", call_id: "c", output: { a: 1 } }] },
      {
        status: 400,
        message: "A function call output must be a string or text parts.",
        param: "input.0.output",
        code: "invalid_request",
      },
    ],
    [
      "an output with an image part",
      { input: [{ type: "function_call_output", call_id: "c", output: [{ type: "input_image" }] }] },
      untranslatable("input.0.output.0", "only text is allowed here."),
    ],
    [
      "an item reference",
      { input: [{ type: "item_reference", id: "msg_1" }] },
      {
        status: 400,
        message:
          "Item references need stored responses, and this gateway stores none: send the items themselves.",
        param: "input.0.type",
        code: "stateless_gateway",
      },
    ],
    [
      "a reasoning item",
      { input: [{ type: "reasoning", summary: [] }] },
      untranslatable("input.0.type", "input items of type 'reasoning' do not translate."),
    ],
    [
      "a web search tool",
      { input: "Hi", tools: [{ type: "function", name: "a" }, { type: "web_search" }] },
      untranslatable("tools.1.type", "only function tools translate."),
    ],
    [
      "an unknown tool_choice",
      { input: "Hi", tools: [{ type: "function", name: "a" }], tool_choice: { type: "web_search" } },
      untranslatable("tool_choice", "unknown tool choice."),
    ],
    [
      "a field it does not know",
      { input: "Hi", prompt: { id: "p" } },
      {
        status: 400,
        message:
          "'prompt' cannot be sent to anthropic/claude-haiku-4-5: this gateway does not know how to translate it (it is passed through only to a provider of the same API).",
        param: "prompt",
        code: "untranslatable_parameter",
      },
    ],
  ])("refuses %s by name", (_name, body, expected) => {
    expect(refusal(body)).toStrictEqual(expected);
  });
});

/** The Response object's fields that echo a request without settings. */
const echo = {
  object: "response",
  created_at: CREATED,
  error: null,
  instructions: null,
  max_output_tokens: null,
  model: "anthropic/claude-haiku-4-5",
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: null,
  store: false,
  temperature: null,
  text: { format: { type: "text" } },
  tool_choice: "auto",
  tools: [],
  top_p: null,
  truncation: "disabled",
  metadata: {},
};
const responsesUsage = (input: number, output: number, cached = 0, written = 0) => ({
  input_tokens: input,
  input_tokens_details: { cached_tokens: cached, cache_write_tokens: written },
  output_tokens: output,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: input + output,
});
const outputText = (text: string) => ({ type: "output_text", text, annotations: [], logprobs: [] });

describe("a Messages answer → a Response", () => {
  const answer = (upstream: Json, body: Json = { input: "Hi" }, m: CatalogueModel = model) =>
    t.response(upstream, translationContext(m, { model: m.id, ...body })) as { body: Json; usage: Json };

  it("text blocks join into one message item; each tool_use is a function_call item", () => {
    expect(
      answer({
        id: "msg_1",
        content: [
          { type: "text", text: "Let me " },
          { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Oslo" } },
          { type: "thinking", thinking: "…" },
          { type: "text", text: "look." },
          { type: "tool_use", id: "toolu_2", name: "time" },
        ],
        stop_reason: "tool_use",
        usage: {
          input_tokens: 150,
          cache_read_input_tokens: 800,
          cache_creation_input_tokens: 50,
          output_tokens: 20,
        },
      }),
    ).toStrictEqual({
      usage: { inputTokens: 1_000, outputTokens: 20, cachedInputTokens: 800, cacheWriteTokens: 50 },
      body: {
        ...echo,
        id: "resp_msg_1",
        status: "completed",
        incomplete_details: null,
        output: [
          {
            id: fresh("msg", 1),
            type: "message",
            role: "assistant",
            status: "completed",
            content: [outputText("Let me look.")],
          },
          {
            id: fresh("fc", 2),
            type: "function_call",
            status: "completed",
            call_id: "toolu_1",
            name: "weather",
            arguments: '{"city":"Oslo"}',
          },
          {
            id: fresh("fc", 3),
            type: "function_call",
            status: "completed",
            call_id: "toolu_2",
            name: "time",
            arguments: "{}",
          },
        ],
        usage: responsesUsage(1_000, 20, 800, 50),
      },
    });
  });

  it("max_tokens is incomplete (max_output_tokens); the request's settings are echoed", () => {
    const body = {
      input: "Hi",
      instructions: "Be brief.",
      max_output_tokens: 5,
      temperature: 0.5,
      top_p: 0.9,
      parallel_tool_calls: false,
      tool_choice: "required",
      tools: [
        { type: "function", name: "a" },
        { type: "function", name: "b", description: "B", parameters: {}, strict: true },
      ],
    };
    expect(
      answer({ id: "msg_2", content: [{ type: "text", text: "It" }], stop_reason: "max_tokens" }, body),
    ).toStrictEqual({
      usage: undefined,
      body: {
        ...echo,
        id: "resp_msg_2",
        status: "incomplete",
        incomplete_details: { reason: "max_output_tokens" },
        instructions: "Be brief.",
        max_output_tokens: 5,
        temperature: 0.5,
        top_p: 0.9,
        parallel_tool_calls: false,
        tool_choice: "required",
        tools: [
          { description: null, parameters: null, type: "function", name: "a", strict: null },
          { description: "B", parameters: {}, type: "function", name: "b", strict: true },
        ],
        output: [
          {
            id: fresh("msg", 1),
            type: "message",
            role: "assistant",
            status: "completed",
            content: [outputText("It")],
          },
        ],
        usage: null,
      },
    });
  });

  it("an empty message: no output items, a fresh id", () => {
    expect(answer({})).toStrictEqual({
      usage: undefined,
      body: {
        ...echo,
        id: "resp_00000000-0000-0000-0000-000000000001",
        status: "completed",
        incomplete_details: null,
        output: [],
        usage: null,
      },
    });
  });

  it("an older model's forced tool comes back as the JSON text; text.format is echoed", () => {
    const body = { input: "Hi", text: { format: { type: "json_object" } } };
    const out = answer(
      {
        id: "msg_3",
        content: [{ type: "tool_use", id: "toolu_1", name: "json_response", input: { answer: 42 } }],
        stop_reason: "tool_use",
        usage: { input_tokens: 5, output_tokens: 3 },
      },
      body,
      olderModel,
    );
    expect(out.body.output).toStrictEqual([
      {
        id: fresh("msg", 1),
        type: "message",
        role: "assistant",
        status: "completed",
        content: [outputText('{"answer":42}')],
      },
    ]);
    expect(out.body.text).toStrictEqual({ format: { type: "json_object" } });
    expect(out.body.model).toBe("anthropic/claude-3-haiku");
    expect(out.usage).toStrictEqual({
      inputTokens: 5,
      outputTokens: 3,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
    });
  });
});

const sse = (events: Json[]) =>
  events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join("");
function replay(upstream: string, body: Json = {}, m: CatalogueModel = model) {
  const stream = t.stream(translationContext(m, { model: m.id, input: "Hi", stream: true, ...body }));
  const before = stream.finished();
  let text = "";
  for (const event of new SseParser().push(upstream)) text += stream.event(event);
  text += stream.end();
  const events = new SseParser().push(text).map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
  for (const e of events) expect(e.event).toBe(e.data.type);
  return { stream, before, events: events.map((e) => e.data) };
}
const messageStart = (usage: Json = { input_tokens: 25, output_tokens: 1 }) => ({
  type: "message_start",
  message: { id: "msg_1", type: "message", role: "assistant", content: [], stop_reason: null, usage },
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
const messageStop = { type: "message_stop" };

/** The Responses events, numbered in order. */
const numbered = (events: Json[]) => events.map((e, i) => ({ type: e.type, sequence_number: i, ...e }));
const snapshot = (status: string, output: Json[] = [], usage: Json = null, id = "resp_msg_1") => ({
  ...echo,
  id,
  status,
  incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
  output,
  usage,
});
const opening = (id = "resp_msg_1") => [
  { type: "response.created", response: snapshot("in_progress", [], null, id) },
  { type: "response.in_progress", response: snapshot("in_progress", [], null, id) },
];
const textItem = (id: string, text: string) => ({
  id,
  type: "message",
  role: "assistant",
  status: "completed",
  content: [outputText(text)],
});
const callItem = (id: string, call_id: string, name: string, args: string) => ({
  id,
  type: "function_call",
  status: "completed",
  call_id,
  name,
  arguments: args,
});
const textEvents = (id: string, output_index: number, deltas: string[]) => {
  const text = deltas.join("");
  return {
    added: [
      {
        type: "response.output_item.added",
        output_index,
        item: { id, type: "message", role: "assistant", status: "in_progress", content: [] },
      },
      {
        type: "response.content_part.added",
        item_id: id,
        output_index,
        content_index: 0,
        part: outputText(""),
      },
    ],
    deltas: deltas.map((delta) => ({
      type: "response.output_text.delta",
      item_id: id,
      output_index,
      content_index: 0,
      delta,
      logprobs: [],
    })),
    done: [
      { type: "response.output_text.done", item_id: id, output_index, content_index: 0, text, logprobs: [] },
      {
        type: "response.content_part.done",
        item_id: id,
        output_index,
        content_index: 0,
        part: outputText(text),
      },
      { type: "response.output_item.done", output_index, item: textItem(id, text) },
    ],
  };
};
const callEvents = (id: string, output_index: number, call_id: string, name: string, deltas: string[]) => {
  const args = deltas.join("") || "{}";
  return {
    added: [
      {
        type: "response.output_item.added",
        output_index,
        item: { id, type: "function_call", status: "in_progress", call_id, name, arguments: "" },
      },
    ],
    deltas: deltas.map((delta) => ({
      type: "response.function_call_arguments.delta",
      item_id: id,
      output_index,
      delta,
    })),
    done: [
      { type: "response.function_call_arguments.done", item_id: id, output_index, name, arguments: args },
      { type: "response.output_item.done", output_index, item: callItem(id, call_id, name, args) },
    ],
  };
};

describe("a recorded Messages stream → Responses events", () => {
  it("text then a tool (block 1): the documented events in order, numbered, with the final usage", () => {
    const { stream, before, events } = replay(
      sse([
        messageStart(),
        textStart(0),
        { type: "ping" },
        textDelta(0, "Okay, "),
        textDelta(0, "let me check."),
        blockStop(0),
        toolStart(1, "toolu_01", "get_weather"),
        jsonDelta(1, '{"location":'),
        jsonDelta(1, ' "Oslo"}'),
        blockStop(1),
        messageDelta("tool_use", { output_tokens: 89 }),
        messageStop,
      ]),
    );
    // Ids: 1 the stream's own (replaced by the message's), 2 the text item, 3 the function call.
    const text = textEvents(fresh("msg", 2), 0, ["Okay, ", "let me check."]);
    const call = callEvents(fresh("fc", 3), 1, "toolu_01", "get_weather", ['{"location":', ' "Oslo"}']);
    expect(events).toStrictEqual(
      numbered([
        ...opening(),
        ...text.added,
        ...text.deltas,
        ...text.done,
        ...call.added,
        ...call.deltas,
        ...call.done,
        {
          type: "response.completed",
          response: snapshot(
            "completed",
            [
              textItem(fresh("msg", 2), "Okay, let me check."),
              callItem(fresh("fc", 3), "toolu_01", "get_weather", '{"location": "Oslo"}'),
            ],
            responsesUsage(25, 89),
          ),
        },
      ]),
    );
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

  it("parallel tools (blocks 1 and 2, interleaved) each keep their item; blocks left open close at the end", () => {
    const { events } = replay(
      sse([
        messageStart({
          input_tokens: 150,
          cache_read_input_tokens: 800,
          cache_creation_input_tokens: 50,
          output_tokens: 1,
        }),
        { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "" } },
        { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Hmm." } },
        blockStop(0),
        toolStart(1, "toolu_a", "weather"),
        toolStart(2, "toolu_b", "time"),
        jsonDelta(2, '{"tz":"UTC"}'),
        jsonDelta(1, '{"city":"Oslo"}'),
        { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "stray" } },
        blockStop(1),
        messageDelta("tool_use", { output_tokens: 20 }),
        messageStop,
      ]),
    );
    const a = callEvents(fresh("fc", 2), 0, "toolu_a", "weather", ['{"city":"Oslo"}']);
    const b = callEvents(fresh("fc", 3), 1, "toolu_b", "time", ['{"tz":"UTC"}']);
    expect(events).toStrictEqual(
      numbered([
        ...opening(),
        ...a.added,
        ...b.added,
        ...b.deltas,
        ...a.deltas,
        ...a.done,
        ...b.done,
        {
          type: "response.completed",
          response: snapshot(
            "completed",
            [
              callItem(fresh("fc", 2), "toolu_a", "weather", '{"city":"Oslo"}'),
              callItem(fresh("fc", 3), "toolu_b", "time", '{"tz":"UTC"}'),
            ],
            responsesUsage(1_000, 20, 800, 50),
          ),
        },
      ]),
    );
  });

  it("max_tokens ends with response.incomplete; a tool without arguments is {}; a text left open is closed", () => {
    const { events } = replay(
      sse([
        messageStart(),
        toolStart(0, "toolu_a", "time"),
        blockStop(0),
        textStart(1),
        textDelta(1, "It"),
        messageDelta("max_tokens"),
        messageStop,
      ]),
    );
    const call = callEvents(fresh("fc", 2), 0, "toolu_a", "time", []);
    const text = textEvents(fresh("msg", 3), 1, ["It"]);
    expect(events).toStrictEqual(
      numbered([
        ...opening(),
        ...call.added,
        ...call.done,
        ...text.added,
        ...text.deltas,
        ...text.done,
        {
          type: "response.incomplete",
          response: snapshot(
            "incomplete",
            [callItem(fresh("fc", 2), "toolu_a", "time", "{}"), textItem(fresh("msg", 3), "It")],
            responsesUsage(25, 15),
          ),
        },
      ]),
    );
  });

  it("a message_delta without a stop reason keeps the one before", () => {
    const { events } = replay(
      sse([
        messageStart(),
        messageDelta("max_tokens", {}),
        { type: "message_delta", usage: { output_tokens: 3 } },
        messageStop,
      ]),
    );
    expect(events.at(-1).type).toBe("response.incomplete");
  });

  it("a stream without message_start opens at its first block under a fresh id; without usage it reports null", () => {
    const { events } = replay(sse([textStart(0), textDelta(0, "x"), blockStop(0), messageStop]));
    const id = "resp_00000000000000000000000000000001";
    const text = textEvents(fresh("msg", 2), 0, ["x"]);
    expect(events).toStrictEqual(
      numbered([
        ...opening(id),
        ...text.added,
        ...text.deltas,
        ...text.done,
        {
          type: "response.completed",
          response: snapshot("completed", [textItem(fresh("msg", 2), "x")], null, id),
        },
      ]),
    );
  });

  it("a message_start without an id keeps the fresh one; an empty stream still opens and completes", () => {
    const { events } = replay(sse([{ type: "message_start" }, messageStop]));
    const id = "resp_00000000000000000000000000000001";
    expect(events).toStrictEqual(
      numbered([
        ...opening(id),
        { type: "response.completed", response: snapshot("completed", [], null, id) },
      ]),
    );
    expect(replay(sse([messageStop])).events.map((e: Json) => e.type)).toStrictEqual([
      "response.created",
      "response.in_progress",
      "response.completed",
    ]);
  });

  it("deltas and stops for blocks never started, and blocks of other kinds, send nothing", () => {
    const { events } = replay(
      sse([
        messageStart(),
        textDelta(4, "x"),
        blockStop(4),
        { type: "content_block_start", index: 0 },
        { type: "content_block_delta", index: 0 },
        textStart(1),
        jsonDelta(1, "{}"),
      ]),
    );
    expect(events.map((e: Json) => e.type)).toStrictEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
  });

  it("an error event and a cut are Responses error events, numbered on", () => {
    const { stream, events } = replay(
      `data: not json\n\n${sse([messageStart(), { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, { type: "error" }])}`,
    );
    expect(events).toStrictEqual(
      numbered([
        ...opening(),
        { type: "error", code: "upstream_stream_cut", message: "Overloaded", param: null },
        { type: "error", code: "upstream_stream_cut", message: "Provider error.", param: null },
      ]),
    );
    expect(stream.finished()).toBe(false);
    expect(stream.cut("Upstream closed early.")).toBe(
      `event: error\ndata: ${JSON.stringify({ type: "error", code: "upstream_stream_cut", message: "Upstream closed early.", param: null, sequence_number: 4 })}\n\n`,
    );
    expect(stream.end()).toBe("");
  });

  it("an older model's forced tool streams as output text", () => {
    const { events } = replay(
      sse([
        messageStart(),
        toolStart(0, "toolu_1", "json_response"),
        jsonDelta(0, '{"a":'),
        jsonDelta(0, "1}"),
        blockStop(0),
        messageDelta("tool_use"),
        messageStop,
      ]),
      { text: { format: { type: "json_object" } } },
      olderModel,
    );
    const text = textEvents(fresh("msg", 2), 0, ['{"a":', "1}"]);
    const older = (e: Json) =>
      e.response
        ? {
            ...e,
            response: {
              ...e.response,
              model: "anthropic/claude-3-haiku",
              text: { format: { type: "json_object" } },
            },
          }
        : e;
    expect(events).toStrictEqual(
      numbered([
        ...opening(),
        ...text.added,
        ...text.deltas,
        ...text.done,
        {
          type: "response.completed",
          response: snapshot("completed", [textItem(fresh("msg", 2), '{"a":1}')], responsesUsage(25, 15)),
        },
      ]).map(older),
    );
  });
});
