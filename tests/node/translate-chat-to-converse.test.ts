// OpenAI Chat Completions ↔ Amazon Bedrock Converse (an OpenAI-dialect client, a Bedrock model), table by table,
// each output asserted whole: requests field by field, whole answers (stop reasons, content filters, usage with
// cache reads and writes), and recorded ConverseStream events — as the provider hands them over, decoded from
// event-stream frames into server-sent events named messageStart, contentBlockStart/Delta/Stop, messageStop,
// metadata and exception — replayed into Chat Completions chunks.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CatalogueModel } from "#worker/ai/catalogue/model";
import { SseParser } from "#worker/ai/sse";
import { chatToConverse, messagesToConverse } from "#worker/ai/translate/bedrock/index";
import type { Json } from "#worker/ai/translate/types";
import { translationContext } from "./support/translation";

const model = {
  id: "amazon/nova-lite",
  provider: "bedrock",
  upstreamModel: "amazon.nova-lite-v1:0",
  kind: "chat",
  inputMicrosPerM: 60_000,
  outputMicrosPerM: 240_000,
  capabilities: ["tools", "vision"],
  contextTokens: 300_000,
  maxOutputTokens: 10_000,
} as CatalogueModel;
const t = chatToConverse;
const hi = [{ role: "user", content: "Hi" }];
const hiBlocks = [{ role: "user", content: [{ text: "Hi" }] }];
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const CREATED = NOW / 1000;
const UUID = "0000-1111-2222-3333-4444";
const ID = `chatcmpl-${UUID}`;

beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
  vi.spyOn(crypto, "randomUUID").mockReturnValue(UUID);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const translate = (body: Json) => {
  const full = { model: model.id, ...body };
  return t.request(full, translationContext(model, full));
};

/** What a refused request threw: status, message, param and code. */
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
  message: `'${param}' cannot be sent to a Bedrock model: ${why}`,
  param,
  code: "untranslatable_parameter",
});
const invalid = (param: string, message: string) => ({
  status: 400,
  message,
  param,
  code: "invalid_request",
});

const call = (id: string, name: string, args: string) => ({
  id,
  type: "function",
  function: { name, arguments: args },
});
const weatherTool = {
  type: "function",
  function: {
    name: "weather",
    description: "Weather now",
    parameters: { type: "object", properties: { city: { type: "string" } } },
  },
};
const weatherSpec = {
  toolSpec: {
    name: "weather",
    description: "Weather now",
    inputSchema: { json: { type: "object", properties: { city: { type: "string" } } } },
  },
};

describe("a Chat Completions request → a Converse request", () => {
  const base = { model: "amazon.nova-lite-v1:0" };
  it.each<[string, Json, Json]>([
    ["the least", { messages: hi }, { ...base, messages: hiBlocks }],
    [
      "system and developer messages are system blocks, in order; text parts a line apart",
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
          { role: "system", content: null },
        ],
      },
      {
        ...base,
        system: [{ text: "Be brief." }, { text: "Answer in French.\nNo lists." }, { text: "" }],
        messages: hiBlocks,
      },
    ],
    [
      "user parts: text and base64 images of each format Converse takes (across lines)",
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What are these?" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBO\nRw==" } },
              { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/" } },
              { type: "image_url", image_url: { url: "data:image/gif;base64,R0lG" } },
              { type: "image_url", image_url: { url: "data:image/webp;base64,UklG" } },
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
              { text: "What are these?" },
              { image: { format: "png", source: { bytes: "iVBO\nRw==" } } },
              { image: { format: "jpeg", source: { bytes: "/9j/" } } },
              { image: { format: "gif", source: { bytes: "R0lG" } } },
              { image: { format: "webp", source: { bytes: "UklG" } } },
            ],
          },
        ],
      },
    ],
    [
      "assistant turns; one without content is a single space (Converse refuses empty text)",
      {
        messages: [
          ...hi,
          { role: "assistant", content: "Hello." },
          { role: "user", content: "Again" },
          { role: "assistant", content: null },
        ],
      },
      {
        ...base,
        messages: [
          ...hiBlocks,
          { role: "assistant", content: [{ text: "Hello." }] },
          { role: "user", content: [{ text: "Again" }] },
          { role: "assistant", content: [{ text: " " }] },
        ],
      },
    ],
    [
      "tool calls as toolUse blocks; results as toolResult blocks, a turn's results in one user turn",
      {
        messages: [
          ...hi,
          {
            role: "assistant",
            content: "Looking.",
            tool_calls: [call("c1", "weather", '{"city":"Oslo"}'), call("c2", "time", "")],
          },
          { role: "tool", tool_call_id: "c1", content: '{"temp":3}' },
          { role: "tool", tool_call_id: "c2", content: "[1,2]" },
          { role: "tool", tool_call_id: "c3", content: "plain words" },
          { role: "user", content: "Thanks" },
          { role: "tool", tool_call_id: "c4", content: [{ type: "text", text: "null" }] },
        ],
      },
      {
        ...base,
        messages: [
          ...hiBlocks,
          {
            role: "assistant",
            content: [
              { text: "Looking." },
              { toolUse: { toolUseId: "c1", name: "weather", input: { city: "Oslo" } } },
              { toolUse: { toolUseId: "c2", name: "time", input: {} } },
            ],
          },
          {
            role: "user",
            content: [
              { toolResult: { toolUseId: "c1", content: [{ json: { temp: 3 } }] } },
              { toolResult: { toolUseId: "c2", content: [{ text: "[1,2]" }] } },
              { toolResult: { toolUseId: "c3", content: [{ text: "plain words" }] } },
            ],
          },
          { role: "user", content: [{ text: "Thanks" }] },
          { role: "user", content: [{ toolResult: { toolUseId: "c4", content: [{ text: "null" }] } }] },
        ],
      },
    ],
    [
      "function tools as toolSpecs (parameters default to an empty object schema); tool_choice auto",
      {
        messages: hi,
        tool_choice: "auto",
        tools: [weatherTool, { type: "function", function: { name: "time", description: "" } }],
      },
      {
        ...base,
        messages: hiBlocks,
        toolConfig: {
          tools: [
            weatherSpec,
            { toolSpec: { name: "time", inputSchema: { json: { type: "object", properties: {} } } } },
          ],
        },
      },
    ],
    [
      "tool_choice required is any",
      { messages: hi, tools: [weatherTool], tool_choice: "required" },
      { ...base, messages: hiBlocks, toolConfig: { tools: [weatherSpec], toolChoice: { any: {} } } },
    ],
    [
      "a named function is that tool",
      {
        messages: hi,
        tools: [weatherTool],
        tool_choice: { type: "function", function: { name: "weather" } },
      },
      {
        ...base,
        messages: hiBlocks,
        toolConfig: { tools: [weatherSpec], toolChoice: { tool: { name: "weather" } } },
      },
    ],
    [
      "tool_choice null with tools is auto",
      { messages: hi, tools: [weatherTool], tool_choice: null },
      { ...base, messages: hiBlocks, toolConfig: { tools: [weatherSpec] } },
    ],
    [
      "no tools: tool_choice auto, none or null ask for nothing",
      { messages: hi, tools: [], tool_choice: "none" },
      { ...base, messages: hiBlocks },
    ],
    ["no tools, tool_choice auto", { messages: hi, tool_choice: "auto" }, { ...base, messages: hiBlocks }],
    ["no tools, tool_choice null", { messages: hi, tool_choice: null }, { ...base, messages: hiBlocks }],
    [
      "inference settings; max_completion_tokens wins over max_tokens; stop as a string becomes a list",
      { messages: hi, temperature: 0, top_p: 0.5, max_tokens: 10, max_completion_tokens: 20, stop: "END" },
      {
        ...base,
        messages: hiBlocks,
        inferenceConfig: { maxTokens: 20, temperature: 0, topP: 0.5, stopSequences: ["END"] },
      },
    ],
    [
      "max_tokens alone; stop as a list",
      { messages: hi, max_tokens: 10, stop: ["a", "b"] },
      { ...base, messages: hiBlocks, inferenceConfig: { maxTokens: 10, stopSequences: ["a", "b"] } },
    ],
    [
      "null settings, zero penalties, n 1 and stream false ask for nothing",
      {
        messages: hi,
        temperature: null,
        top_p: null,
        max_tokens: null,
        stop: null,
        seed: null,
        presence_penalty: 0,
        frequency_penalty: 0,
        n: 1,
        stream: false,
      },
      { ...base, messages: hiBlocks },
    ],
    [
      "stream (read by the route)",
      { messages: hi, stream: true },
      { ...base, messages: hiBlocks, stream: true },
    ],
  ])("%s", (_name, body, expected) => {
    expect(translate(body)).toStrictEqual(expected);
  });

  const why = "Converse has no such parameter here.";
  it.each<[string, Json, Json]>([
    ...(
      [
        ["logprobs", true],
        ["top_logprobs", 2],
        ["logit_bias", { "1": 2 }],
        ["audio", { voice: "alloy" }],
        ["modalities", ["text", "audio"]],
        ["prediction", { type: "content", content: "x" }],
        ["web_search_options", { search_context_size: "low" }],
        ["reasoning_effort", "high"],
        ["seed", 7],
        ["presence_penalty", 0.5],
        ["frequency_penalty", 0.5],
        ["response_format", { type: "json_object" }],
      ] as [string, unknown][]
    ).map(
      ([param, value]) =>
        [`${param}`, { messages: hi, [param]: value }, untranslatable(param, why)] as [string, Json, Json],
    ),
    ["n above 1", { messages: hi, n: 2 }, untranslatable("n", "one choice is returned.")],
    [
      "an image by https URL",
      {
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }],
      },
      untranslatable("messages.0.content.0", "images must be base64 data URLs (png, jpeg, gif or webp)."),
    ],
    [
      "an image part without a URL",
      { messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "image_url" }] }] },
      untranslatable("messages.0.content.1", "images must be base64 data URLs (png, jpeg, gif or webp)."),
    ],
    [
      "an image format Converse does not take",
      {
        messages: [
          {
            role: "user",
            content: [{ type: "image_url", image_url: { url: "data:image/svg+xml;base64,PHN2" } }],
          },
        ],
      },
      untranslatable("messages.0.content.0", "images must be base64 data URLs (png, jpeg, gif or webp)."),
    ],
    [
      "an audio part",
      { messages: [{ role: "user", content: [{ type: "input_audio", input_audio: {} }] }] },
      untranslatable("messages.0.content.0", "content of type 'input_audio' has no Bedrock equivalent."),
    ],
    [
      "an image in a system message (the shared text-only rule)",
      {
        messages: [
          { role: "system", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,x" } }] },
        ],
      },
      untranslatable("messages.0.content", "only text is allowed here."),
    ],
    [
      "a refusal part in an assistant message",
      { messages: [...hi, { role: "assistant", content: [{ type: "refusal", refusal: "no" }] }] },
      untranslatable("messages.1.content", "only text is allowed here."),
    ],
    [
      "an image in a tool result",
      {
        messages: [
          ...hi,
          { role: "tool", tool_call_id: "c1", content: [{ type: "image_url", image_url: {} }] },
        ],
      },
      untranslatable("messages.1.content", "only text is allowed here."),
    ],
    [
      "an unknown role",
      { messages: [{ role: "function", content: "x" }] },
      untranslatable("messages.0.role", "role 'function' has no Bedrock equivalent."),
    ],
    [
      "tool call arguments that are not JSON",
      { messages: [...hi, { role: "assistant", tool_calls: [call("c1", "f", "{")] }] },
      invalid("messages.1.tool_calls.0.function.arguments", "Tool call arguments must be JSON."),
    ],
    [
      "a non-function tool",
      { messages: hi, tools: [weatherTool, { type: "custom", custom: { name: "g" } }] },
      untranslatable("tools.1.type", "only function tools translate."),
    ],
    [
      "tool_choice none with tools",
      { messages: hi, tools: [weatherTool], tool_choice: "none" },
      untranslatable("tool_choice", "Converse has no 'none' tool choice."),
    ],
    [
      "an unknown tool choice",
      { messages: hi, tools: [weatherTool], tool_choice: "sometimes" },
      untranslatable("tool_choice", "unknown tool choice."),
    ],
    [
      "tool_choice required without tools",
      { messages: hi, tool_choice: "required" },
      invalid("tool_choice", "'tool_choice' needs tools."),
    ],
    [
      "a named tool choice without tools",
      { messages: hi, tools: [], tool_choice: { type: "function", function: { name: "f" } } },
      invalid("tool_choice", "'tool_choice' needs tools."),
    ],
  ])("refuses %s", (_name, body, expected) => {
    expect(refusal(body)).toStrictEqual(expected);
  });

  it("accepts the plain-text response format every provider answers with unasked", () => {
    expect(translate({ messages: hi, response_format: { type: "text" } })).toStrictEqual(
      translate({ messages: hi }),
    );
  });

  it("refuses a field no translation knows, naming the model", () => {
    expect(refusal({ messages: hi, store_everything: true })).toStrictEqual({
      status: 400,
      message:
        "'store_everything' cannot be sent to amazon/nova-lite: this gateway does not know how to translate it (it is passed through only to a provider of the same API).",
      param: "store_everything",
      code: "untranslatable_parameter",
    });
  });
});

describe("a Converse answer → a Chat Completions answer", () => {
  const answer = (upstream: Json) => t.response(upstream, translationContext(model, { messages: hi }));
  const usage = { inputTokens: 20, outputTokens: 5, totalTokens: 25 };
  const body = (message: Json, finish_reason: string, openai: Json | null) => ({
    id: ID,
    object: "chat.completion",
    created: CREATED,
    model: model.id,
    choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason, logprobs: null }],
    ...(openai ? { usage: openai } : {}),
  });
  const openaiUsage = (prompt: number, completion: number, cached = 0) => ({
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached },
  });
  const output = (content: Json[]) => ({ message: { role: "assistant", content } });

  it("text blocks joined, reasoning left out; cache reads and writes counted beside the uncached input", () => {
    expect(
      answer({
        output: output([
          { reasoningContent: { reasoningText: { text: "hmm" } } },
          { text: "Hel" },
          { text: "lo." },
        ]),
        stopReason: "end_turn",
        usage: { inputTokens: 20, outputTokens: 5, cacheReadInputTokens: 30, cacheWriteInputTokens: 7 },
      }),
    ).toStrictEqual({
      usage: { inputTokens: 57, cachedInputTokens: 30, cacheWriteTokens: 7, outputTokens: 5 },
      body: body({ content: "Hello.", refusal: null }, "stop", openaiUsage(57, 5, 30)),
    });
  });

  it("tool calls with their ids; missing input an empty object", () => {
    expect(
      answer({
        output: output([
          { text: "Let me look." },
          { toolUse: { toolUseId: "t1", name: "weather", input: { city: "Oslo" } } },
          { toolUse: { toolUseId: "t2", name: "time" } },
        ]),
        stopReason: "tool_use",
        usage,
      }),
    ).toStrictEqual({
      usage: { inputTokens: 20, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5 },
      body: body(
        {
          content: "Let me look.",
          tool_calls: [call("t1", "weather", '{"city":"Oslo"}'), call("t2", "time", "{}")],
          refusal: null,
        },
        "tool_calls",
        openaiUsage(20, 5),
      ),
    });
  });

  it("tool calls only: content null", () => {
    const out = answer({
      output: output([{ toolUse: { toolUseId: "t1", name: "f", input: {} } }]),
      stopReason: "tool_use",
      usage,
    });
    expect(out.body).toStrictEqual(
      body(
        { content: null, tool_calls: [call("t1", "f", "{}")], refusal: null },
        "tool_calls",
        openaiUsage(20, 5),
      ),
    );
  });

  it.each<[string, string]>([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
  ])("stop reason %s is %s", (reason, finish) => {
    const out = answer({ output: output([{ text: "x" }]), stopReason: reason, usage });
    expect(out.body).toStrictEqual(body({ content: "x", refusal: null }, finish, openaiUsage(20, 5)));
  });

  it.each(["guardrail_intervened", "content_filtered"])(
    "stop reason %s is a content_filter with the reason as refusal",
    (reason) => {
      const out = answer({ output: output([]), stopReason: reason, usage });
      expect(out.body).toStrictEqual(
        body(
          { content: null, refusal: `The provider's content filters withheld the answer (${reason}).` },
          "content_filter",
          openaiUsage(20, 5),
        ),
      );
    },
  );

  it("no output, stop reason or usage: an empty stop without usage", () => {
    expect(answer({})).toStrictEqual({
      usage: undefined,
      body: body({ content: "", refusal: null }, "stop", null),
    });
  });

  it("usage without an input count is none; a missing output count is 0", () => {
    expect(answer({ usage: { outputTokens: 4 } }).usage).toBeUndefined();
    expect(answer({ usage: { inputTokens: 4 } }).usage).toStrictEqual({
      inputTokens: 4,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 0,
    });
  });
});

/** ConverseStream events as the provider hands them over: `event:` the event type, `data:` its JSON payload. */
const sse = (events: [string, Json | string][]) =>
  events
    .map(
      ([event, data]) =>
        `event: ${event}\ndata: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`,
    )
    .join("");

function replay(upstream: string, includeUsage = true) {
  const ctx = translationContext(model, { model: model.id, messages: hi, stream: true });
  ctx.includeUsage = includeUsage;
  const stream = t.stream(ctx);
  const before = stream.finished();
  let text = "";
  for (const event of new SseParser().push(upstream)) text += stream.event(event);
  text += stream.end();
  const data = new SseParser().push(text).map((e) => (e.data === "[DONE]" ? e.data : JSON.parse(e.data)));
  return { stream, before, text, data };
}
const chunk = (delta: Json, finish_reason: string | null = null) => ({
  id: ID,
  object: "chat.completion.chunk",
  created: CREATED,
  model: model.id,
  choices: [{ index: 0, delta, finish_reason, logprobs: null }],
});
const usageChunk = (usage: Json) => ({
  id: ID,
  object: "chat.completion.chunk",
  created: CREATED,
  model: model.id,
  choices: [],
  usage,
});
const start = chunk({ role: "assistant", content: "" });
const messageStart: [string, Json] = ["messageStart", { role: "assistant" }];
const text = (i: number, s: string): [string, Json] => [
  "contentBlockDelta",
  { contentBlockIndex: i, delta: { text: s } },
];
const stop = (i: number): [string, Json] => ["contentBlockStop", { contentBlockIndex: i }];
const messageStop = (stopReason: string): [string, Json] => ["messageStop", { stopReason }];
const metadata = (usage: Json): [string, Json] => ["metadata", { usage, metrics: { latencyMs: 100 } }];

describe("a recorded ConverseStream → Chat Completions chunks", () => {
  it("text in pieces, reasoning counted not relayed, usage with cache reads and writes after messageStop", () => {
    const { stream, before, data } = replay(
      sse([
        messageStart,
        ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: "hmm" } } }],
        ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { signature: "s" } } }],
        stop(0),
        text(1, "Hel"),
        text(1, ""),
        text(1, "lo."),
        stop(1),
        messageStop("end_turn"),
        metadata({ inputTokens: 9, outputTokens: 3, cacheReadInputTokens: 4, cacheWriteInputTokens: 2 }),
      ]),
    );
    expect(before).toBe(false);
    expect(data).toStrictEqual([
      start,
      chunk({ content: "Hel" }),
      chunk({ content: "lo." }),
      chunk({}, "stop"),
      usageChunk({
        prompt_tokens: 15,
        completion_tokens: 3,
        total_tokens: 18,
        prompt_tokens_details: { cached_tokens: 4 },
      }),
      "[DONE]",
    ]);
    expect(stream.finished()).toBe(true);
    expect(stream.usage()).toStrictEqual({
      inputTokens: 15,
      cachedInputTokens: 4,
      cacheWriteTokens: 2,
      outputTokens: 3,
    });
    expect(stream.deliveredChars()).toBe("hmm".length + "Hello.".length);
  });

  it("tool calls: started with id and name, arguments streamed by block; finish tool_calls", () => {
    const { stream, data } = replay(
      sse([
        messageStart,
        text(0, "Looking."),
        stop(0),
        [
          "contentBlockStart",
          { contentBlockIndex: 1, start: { toolUse: { toolUseId: "t1", name: "weather" } } },
        ],
        ["contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } }],
        ["contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: '"Oslo"}' } } }],
        stop(1),
        [
          "contentBlockStart",
          { contentBlockIndex: 2, start: { toolUse: { toolUseId: "t2", name: "time" } } },
        ],
        ["contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: {} } }],
        ["contentBlockDelta", { contentBlockIndex: 7, delta: { toolUse: { input: "{}" } } }],
        stop(2),
        messageStop("tool_use"),
        metadata({ inputTokens: 9, outputTokens: 3 }),
      ]),
      false,
    );
    expect(data).toStrictEqual([
      start,
      chunk({ content: "Looking." }),
      chunk({
        tool_calls: [{ index: 0, id: "t1", type: "function", function: { name: "weather", arguments: "" } }],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
      chunk({
        tool_calls: [{ index: 1, id: "t2", type: "function", function: { name: "time", arguments: "" } }],
      }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: "" } }] }),
      chunk({}, "tool_calls"),
      "[DONE]",
    ]);
    expect(stream.deliveredChars()).toBe(
      "Looking.".length + "weather".length + '{"city":"Oslo"}'.length + "time".length,
    );
  });

  it.each<[string, string]>([
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["stop_sequence", "stop"],
  ])("stop reason %s is %s", (reason, finish) => {
    const { data } = replay(sse([messageStart, text(0, "a"), messageStop(reason)]), false);
    expect(data).toStrictEqual([start, chunk({ content: "a" }), chunk({}, finish), "[DONE]"]);
  });

  it.each(["guardrail_intervened", "content_filtered"])(
    "stop reason %s is a refusal and content_filter",
    (reason) => {
      const { data } = replay(
        sse([messageStart, messageStop(reason), metadata({ inputTokens: 4, outputTokens: 0 })]),
      );
      expect(data).toStrictEqual([
        start,
        chunk({ refusal: `The provider's content filters withheld the answer (${reason}).` }),
        chunk({}, "content_filter"),
        usageChunk({
          prompt_tokens: 4,
          completion_tokens: 0,
          total_tokens: 4,
          prompt_tokens_details: { cached_tokens: 0 },
        }),
        "[DONE]",
      ]);
    },
  );

  it("a messageStop without a reason is stop; the stream is finished only once metadata follows it", () => {
    const { stream, data } = replay(sse([messageStart, ["messageStop", {}]]));
    expect(data).toStrictEqual([start, chunk({}, "stop"), "[DONE]"]);
    expect(stream.finished()).toBe(false);
    const early = replay(sse([messageStart, metadata({ inputTokens: 1, outputTokens: 1 })]));
    expect(early.stream.finished()).toBe(false);
  });

  it("an exception ends the stream with an OpenAI error; without a message it names the type", () => {
    const { stream, data } = replay(
      sse([
        messageStart,
        text(0, "a"),
        ["exception", { type: "throttlingException", message: "Slow down." }],
      ]),
    );
    expect(data).toStrictEqual([
      start,
      chunk({ content: "a" }),
      { error: { message: "Slow down.", type: "api_error", code: "upstream_stream_cut", param: null } },
      "[DONE]",
    ]);
    expect(stream.finished()).toBe(true);
    expect(
      replay(sse([["exception", { type: "modelStreamErrorException", message: "" }]])).data,
    ).toStrictEqual([
      {
        error: {
          message: "Provider error (modelStreamErrorException).",
          type: "api_error",
          code: "upstream_stream_cut",
          param: null,
        },
      },
      "[DONE]",
    ]);
  });

  it("events that are not JSON, unknown events and text block starts give nothing", () => {
    const { stream, data } = replay(
      sse([
        ["messageStart", "not json"],
        ["somethingNew", { a: 1 }],
        ["contentBlockStart", { contentBlockIndex: 0, start: {} }],
        ["contentBlockDelta", { contentBlockIndex: 0 }],
      ]),
    );
    expect(data).toStrictEqual(["[DONE]"]);
    expect(stream.finished()).toBe(false);
    expect(stream.deliveredChars()).toBe(0);
  });

  it("a cut is an OpenAI error", () => {
    expect(replay("").stream.cut("Upstream went away.")).toBe(
      `data: ${JSON.stringify({ error: { message: "Upstream went away.", type: "api_error", code: "upstream_stream_cut", param: null } })}\n\n`,
    );
  });
});

describe("the Messages API to Bedrock, through chat", () => {
  it("a Messages request becomes a Converse request", () => {
    const body = { model: model.id, max_tokens: 100, system: "Be brief.", messages: hi };
    expect(messagesToConverse.request(body, translationContext(model, body))).toStrictEqual({
      model: "amazon.nova-lite-v1:0",
      system: [{ text: "Be brief." }],
      messages: hiBlocks,
      inferenceConfig: { maxTokens: 100 },
    });
  });

  it("a Messages stream, asked for no usage, still carries Converse's counts in message_delta", () => {
    const body = { model: model.id, max_tokens: 100, messages: hi, stream: true };
    const ctx = { ...translationContext(model, body), includeUsage: false };
    const stream = messagesToConverse.stream(ctx);
    let out = "";
    for (const event of new SseParser().push(
      sse([
        messageStart,
        text(0, "a"),
        messageStop("end_turn"),
        metadata({ inputTokens: 9, outputTokens: 3 }),
      ]),
    ))
      out += stream.event(event);
    out += stream.end();
    const events = new SseParser().push(out).map((e) => JSON.parse(e.data));
    expect(events.find((e) => e.type === "message_delta")?.usage).toMatchObject({ output_tokens: 3 });
  });
});
