// OpenAI Chat Completions ↔ Gemini generateContent (an OpenAI-dialect client, a Gemini model), table by table,
// each output asserted whole: requests field by field, whole answers (finish reasons, safety blocks, usage with
// cached and thinking tokens), recorded `streamGenerateContent?alt=sse` streams (one GenerateContentResponse per
// event) replayed into Chat Completions chunks, and embeddings both ways.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CatalogueModel } from "#worker/ai/catalogue/model";
import { SseParser } from "#worker/ai/sse";
import { geminiEmbeddings } from "#worker/ai/translate/gemini/embeddings";
import { chatToGemini, messagesToGemini } from "#worker/ai/translate/gemini/index";
import type { Json } from "#worker/ai/translate/types";
import { translationContext } from "./support/translation";

const model: CatalogueModel = {
  id: "google/gemini-2.5-flash",
  provider: "gemini",
  upstreamModel: "gemini-2.5-flash",
  kind: "chat",
  inputMicrosPerM: 300_000,
  outputMicrosPerM: 2_500_000,
  capabilities: ["tools", "vision", "structured_output"],
  contextTokens: 1_000_000,
  maxOutputTokens: 65_536,
} as CatalogueModel;
const t = chatToGemini;
const hi = [{ role: "user", content: "Hi" }];
const hiParts = [{ role: "user", parts: [{ text: "Hi" }] }];
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const CREATED = NOW / 1000;
const UUID = "0000-1111-2222-3333-4444";

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
  message: `'${param}' cannot be sent to a Gemini model: ${why}`,
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

describe("a Chat Completions request → a generateContent request", () => {
  const base = { model: "gemini-2.5-flash" };
  it.each<[string, Json, Json]>([
    ["the least", { messages: hi }, { ...base, contents: hiParts }],
    [
      "system and developer messages join systemInstruction, a blank line apart; text parts a line apart",
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
      {
        ...base,
        systemInstruction: { parts: [{ text: "Be brief.\n\nAnswer in French.\nNo lists." }] },
        contents: hiParts,
      },
    ],
    [
      "a system message without content is an empty text",
      { messages: [{ role: "system", content: null }, ...hi] },
      { ...base, systemInstruction: { parts: [{ text: "" }] }, contents: hiParts },
    ],
    [
      "user parts: text and base64 images (any subtype, across lines) as inlineData",
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: "data:image/svg+xml;base64,PHN2\nZz4=" } },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBO" } },
            ],
          },
        ],
      },
      {
        ...base,
        contents: [
          {
            role: "user",
            parts: [
              { text: "What is this?" },
              { inlineData: { mimeType: "image/svg+xml", data: "PHN2\nZz4=" } },
              { inlineData: { mimeType: "image/png", data: "iVBO" } },
            ],
          },
        ],
      },
    ],
    [
      "assistant turns are the model's; one without content is an empty text",
      {
        messages: [
          ...hi,
          { role: "assistant", content: "Hello." },
          { role: "user", content: "Again" },
          { role: "assistant", content: null },
          {
            role: "assistant",
            content: [
              { type: "text", text: "a" },
              { type: "text", text: "b" },
            ],
          },
        ],
      },
      {
        ...base,
        contents: [
          ...hiParts,
          { role: "model", parts: [{ text: "Hello." }] },
          { role: "user", parts: [{ text: "Again" }] },
          { role: "model", parts: [{ text: "" }] },
          { role: "model", parts: [{ text: "a\nb" }] },
        ],
      },
    ],
    [
      "tool calls as functionCall parts; their results answer by name, a turn's results in one user turn",
      {
        messages: [
          ...hi,
          {
            role: "assistant",
            content: "Looking.",
            tool_calls: [
              call("c1", "weather", '{"city":"Oslo"}'),
              call("c2", "time", ""),
              call("c3", "echo", "{}"),
            ],
          },
          { role: "tool", tool_call_id: "c1", content: '{"temp":3}' },
          { role: "tool", tool_call_id: "c2", content: "[1,2]" },
          { role: "tool", tool_call_id: "c3", content: "plain words" },
          { role: "tool", tool_call_id: "c1", content: [{ type: "text", text: "42" }] },
          { role: "user", content: "Thanks" },
          { role: "tool", tool_call_id: "c3", content: "null" },
        ],
      },
      {
        ...base,
        contents: [
          ...hiParts,
          {
            role: "model",
            parts: [
              { text: "Looking." },
              { functionCall: { name: "weather", args: { city: "Oslo" } } },
              { functionCall: { name: "time", args: {} } },
              { functionCall: { name: "echo", args: {} } },
            ],
          },
          {
            role: "user",
            parts: [
              { functionResponse: { name: "weather", response: { temp: 3 } } },
              { functionResponse: { name: "time", response: { result: [1, 2] } } },
              { functionResponse: { name: "echo", response: { result: "plain words" } } },
              { functionResponse: { name: "weather", response: { result: 42 } } },
            ],
          },
          { role: "user", parts: [{ text: "Thanks" }] },
          { role: "user", parts: [{ functionResponse: { name: "echo", response: { result: null } } }] },
        ],
      },
    ],
    [
      "an assistant turn of tool calls only has no text part",
      {
        messages: [...hi, { role: "assistant", content: "", tool_calls: [call("c1", "f", '{"a":1}')] }],
      },
      {
        ...base,
        contents: [...hiParts, { role: "model", parts: [{ functionCall: { name: "f", args: { a: 1 } } }] }],
      },
    ],
    [
      "function tools as functionDeclarations (parameters default to an empty object schema); tool_choice auto",
      {
        messages: hi,
        tool_choice: "auto",
        tools: [
          {
            type: "function",
            function: {
              name: "weather",
              description: "Weather now",
              parameters: { type: "object", properties: { city: { type: "string" } } },
            },
          },
          { type: "function", function: { name: "time", description: "" } },
        ],
      },
      {
        ...base,
        contents: hiParts,
        tools: [
          {
            functionDeclarations: [
              {
                name: "weather",
                description: "Weather now",
                parametersJsonSchema: { type: "object", properties: { city: { type: "string" } } },
              },
              { name: "time", parametersJsonSchema: { type: "object", properties: {} } },
            ],
          },
        ],
      },
    ],
    ["an empty tool list sends none", { messages: hi, tools: [] }, { ...base, contents: hiParts }],
    [
      "tool_choice required is mode ANY",
      { messages: hi, tool_choice: "required" },
      { ...base, contents: hiParts, toolConfig: { functionCallingConfig: { mode: "ANY" } } },
    ],
    [
      "tool_choice none is mode NONE",
      { messages: hi, tool_choice: "none" },
      { ...base, contents: hiParts, toolConfig: { functionCallingConfig: { mode: "NONE" } } },
    ],
    [
      "a named function is mode ANY with that function allowed",
      { messages: hi, tool_choice: { type: "function", function: { name: "weather" } } },
      {
        ...base,
        contents: hiParts,
        toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["weather"] } },
      },
    ],
    ["tool_choice null is auto", { messages: hi, tool_choice: null }, { ...base, contents: hiParts }],
    [
      "generation settings; max_completion_tokens wins over max_tokens; stop as a string becomes a list",
      {
        messages: hi,
        temperature: 0,
        top_p: 0.5,
        max_tokens: 10,
        max_completion_tokens: 20,
        seed: 7,
        presence_penalty: 0.5,
        frequency_penalty: -0.5,
        stop: "END",
      },
      {
        ...base,
        contents: hiParts,
        generationConfig: {
          temperature: 0,
          topP: 0.5,
          maxOutputTokens: 20,
          seed: 7,
          presencePenalty: 0.5,
          frequencyPenalty: -0.5,
          stopSequences: ["END"],
        },
      },
    ],
    [
      "max_tokens alone; stop as a list",
      { messages: hi, max_tokens: 10, stop: ["a", "b"] },
      { ...base, contents: hiParts, generationConfig: { maxOutputTokens: 10, stopSequences: ["a", "b"] } },
    ],
    [
      "null settings, zero penalties, n 1 and stream false ask for nothing",
      {
        messages: hi,
        temperature: null,
        top_p: null,
        max_tokens: null,
        seed: null,
        stop: null,
        presence_penalty: 0,
        frequency_penalty: 0,
        n: 1,
        stream: false,
      },
      { ...base, contents: hiParts },
    ],
    [
      "a JSON schema response format",
      {
        messages: hi,
        response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } },
      },
      {
        ...base,
        contents: hiParts,
        generationConfig: { responseMimeType: "application/json", responseJsonSchema: { type: "object" } },
      },
    ],
    [
      "a JSON schema format without a schema is any JSON",
      { messages: hi, response_format: { type: "json_schema", json_schema: { name: "x" } } },
      {
        ...base,
        contents: hiParts,
        generationConfig: { responseMimeType: "application/json", responseJsonSchema: {} },
      },
    ],
    [
      "a JSON object response format",
      { messages: hi, response_format: { type: "json_object" } },
      { ...base, contents: hiParts, generationConfig: { responseMimeType: "application/json" } },
    ],
    [
      "a text response format asks for nothing",
      { messages: hi, response_format: { type: "text" } },
      { ...base, contents: hiParts },
    ],
    [
      "stream (read by the route)",
      { messages: hi, stream: true },
      { ...base, contents: hiParts, stream: true },
    ],
  ])("%s", (_name, body, expected) => {
    expect(translate(body)).toStrictEqual(expected);
  });

  it.each<[string, Json, Json]>([
    ...[
      ["logprobs", true],
      ["top_logprobs", 2],
      ["logit_bias", { "1": 2 }],
      ["audio", { voice: "alloy" }],
      ["modalities", ["text", "audio"]],
      ["prediction", { type: "content", content: "x" }],
      ["web_search_options", { search_context_size: "low" }],
      ["reasoning_effort", "high"],
    ].map(
      ([param, value]) =>
        [
          `${param} (an OpenAI-only parameter)`,
          { messages: hi, [param as string]: value },
          untranslatable(param as string, "Gemini has no such parameter here."),
        ] as [string, Json, Json],
    ),
    ["n above 1", { messages: hi, n: 2 }, untranslatable("n", "one choice is returned.")],
    [
      "an image by https URL",
      {
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }],
      },
      untranslatable("messages.0.content.0", "images must be base64 data URLs."),
    ],
    [
      "an image part without a URL",
      { messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "image_url" }] }] },
      untranslatable("messages.0.content.1", "images must be base64 data URLs."),
    ],
    [
      "a non-image data URL",
      {
        messages: [
          {
            role: "user",
            content: [{ type: "image_url", image_url: { url: "data:text/plain;base64,aGk=" } }],
          },
        ],
      },
      untranslatable("messages.0.content.0", "images must be base64 data URLs."),
    ],
    [
      "an audio part",
      { messages: [{ role: "user", content: [{ type: "input_audio", input_audio: {} }] }] },
      untranslatable("messages.0.content.0", "content of type 'input_audio' has no Gemini equivalent."),
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
      "an image in an assistant message",
      { messages: [...hi, { role: "assistant", content: [{ type: "refusal", refusal: "no" }] }] },
      untranslatable("messages.1.content", "only text is allowed here."),
    ],
    [
      "an image in a tool result",
      {
        messages: [
          ...hi,
          { role: "assistant", tool_calls: [call("c1", "f", "{}")] },
          { role: "tool", tool_call_id: "c1", content: [{ type: "image_url", image_url: { url: "x" } }] },
        ],
      },
      untranslatable("messages.2.content", "only text is allowed here."),
    ],
    [
      "an unknown role",
      { messages: [{ role: "function", content: "x" }] },
      untranslatable("messages.0.role", "role 'function' has no Gemini equivalent."),
    ],
    [
      "a tool result answering no call",
      { messages: [...hi, { role: "tool", tool_call_id: "nope", content: "x" }] },
      invalid("messages.1.tool_call_id", "A tool message must answer an earlier tool call."),
    ],
    [
      "tool call arguments that are not JSON",
      { messages: [...hi, { role: "assistant", tool_calls: [call("c1", "f", "{")] }] },
      invalid("messages.1.tool_calls.0.function.arguments", "Tool call arguments must be JSON."),
    ],
    [
      "a non-function tool",
      {
        messages: hi,
        tools: [
          { type: "function", function: { name: "f" } },
          { type: "custom", custom: { name: "g" } },
        ],
      },
      untranslatable("tools.1.type", "only function tools translate."),
    ],
    [
      "an unknown tool choice",
      { messages: hi, tool_choice: "sometimes" },
      untranslatable("tool_choice", "unknown tool choice."),
    ],
    [
      "an allowed_tools tool choice",
      { messages: hi, tool_choice: { type: "allowed_tools", allowed_tools: {} } },
      untranslatable("tool_choice", "unknown tool choice."),
    ],
  ])("refuses %s", (_name, body, expected) => {
    expect(refusal(body)).toStrictEqual(expected);
  });

  it("refuses a field no translation knows, naming the model", () => {
    expect(refusal({ messages: hi, store_everything: true })).toStrictEqual({
      status: 400,
      message:
        "'store_everything' cannot be sent to google/gemini-2.5-flash: this gateway does not know how to translate it (it is passed through only to a provider of the same API).",
      param: "store_everything",
      code: "untranslatable_parameter",
    });
  });
});

describe("a generateContent answer → a Chat Completions answer", () => {
  const answer = (upstream: Json) => t.response(upstream, translationContext(model, { messages: hi }));
  const usageMetadata = {
    promptTokenCount: 20,
    candidatesTokenCount: 5,
    totalTokenCount: 25,
  };
  const body = (message: Json, finish_reason: string, usage: Json | null, id = "chatcmpl-r1") => ({
    id,
    object: "chat.completion",
    created: CREATED,
    model: model.id,
    choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason, logprobs: null }],
    ...(usage ? { usage } : {}),
  });
  const openaiUsage = (prompt: number, completion: number, cached = 0, reasoning = 0) => ({
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached },
    completion_tokens_details: { reasoning_tokens: reasoning },
  });

  it("text, thought summaries left out, usage with cached, tool-use prompt and thinking tokens", () => {
    expect(
      answer({
        responseId: "r1",
        candidates: [
          {
            content: {
              role: "model",
              parts: [{ text: "Thinking…", thought: true }, { text: "Hel" }, { text: "lo." }],
            },
            finishReason: "STOP",
          },
        ],
        usageMetadata: {
          promptTokenCount: 20,
          cachedContentTokenCount: 8,
          toolUsePromptTokenCount: 3,
          candidatesTokenCount: 5,
          thoughtsTokenCount: 7,
        },
      }),
    ).toStrictEqual({
      usage: { inputTokens: 23, cachedInputTokens: 8, cacheWriteTokens: 0, outputTokens: 12 },
      body: body({ content: "Hello.", refusal: null }, "stop", openaiUsage(23, 12, 8, 7)),
    });
  });

  it("tool calls: Gemini's ids kept, missing ones made, missing args an empty object", () => {
    expect(
      answer({
        responseId: "r1",
        candidates: [
          {
            content: {
              parts: [
                { text: "Let me look." },
                { functionCall: { id: "g1", name: "weather", args: { city: "Oslo" } } },
                { functionCall: { name: "time" } },
              ],
            },
            finishReason: "STOP",
          },
        ],
        usageMetadata,
      }),
    ).toStrictEqual({
      usage: { inputTokens: 20, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5 },
      body: body(
        {
          content: "Let me look.",
          tool_calls: [
            call("g1", "weather", '{"city":"Oslo"}'),
            call("call_00001111222233334444", "time", "{}"),
          ],
          refusal: null,
        },
        "tool_calls",
        openaiUsage(20, 5),
      ),
    });
  });

  it("tool calls only: content null", () => {
    const out = answer({
      responseId: "r1",
      candidates: [
        { content: { parts: [{ functionCall: { id: "g1", name: "f", args: {} } }] }, finishReason: "STOP" },
      ],
      usageMetadata,
    });
    expect(out.body).toStrictEqual(
      body(
        { content: null, tool_calls: [call("g1", "f", "{}")], refusal: null },
        "tool_calls",
        openaiUsage(20, 5),
      ),
    );
  });

  it.each<[string, string]>([
    ["MAX_TOKENS", "length"],
    ["STOP", "stop"],
    ["OTHER", "stop"],
    ["MALFORMED_FUNCTION_CALL", "stop"],
  ])("finish reason %s is %s", (reason, finish) => {
    const out = answer({
      responseId: "r1",
      candidates: [{ content: { parts: [{ text: "x" }] }, finishReason: reason }],
      usageMetadata,
    });
    expect(out.body).toStrictEqual(body({ content: "x", refusal: null }, finish, openaiUsage(20, 5)));
  });

  it.each(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE"])(
    "a candidate finished by %s is a content_filter with the reason as refusal",
    (reason) => {
      const out = answer({ responseId: "r1", candidates: [{ finishReason: reason }], usageMetadata });
      expect(out.body).toStrictEqual(
        body(
          { content: null, refusal: `The provider's safety filters withheld the answer (${reason}).` },
          "content_filter",
          openaiUsage(20, 5),
        ),
      );
    },
  );

  it("a blocked prompt (no candidates) is a content_filter naming the block reason", () => {
    const out = answer({
      responseId: "r1",
      promptFeedback: { blockReason: "PROHIBITED_CONTENT" },
      usageMetadata: { promptTokenCount: 20 },
    });
    expect(out).toStrictEqual({
      usage: { inputTokens: 20, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0 },
      body: body(
        { content: null, refusal: "The provider's safety filters withheld the answer (PROHIBITED_CONTENT)." },
        "content_filter",
        openaiUsage(20, 0),
      ),
    });
  });

  it("no candidate, no usage, no id: an empty stop, a made id, no usage", () => {
    expect(answer({})).toStrictEqual({
      usage: undefined,
      body: body({ content: "", refusal: null }, "stop", null, `chatcmpl-${UUID}`),
    });
  });

  it("usage without a prompt count is none", () => {
    const out = answer({ responseId: "r1", candidates: [], usageMetadata: { candidatesTokenCount: 4 } });
    expect(out.usage).toBeUndefined();
  });
});

const sse = (events: Json[]) =>
  events.map((e) => `data: ${typeof e === "string" ? e : JSON.stringify(e)}\r\n\r\n`).join("");

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
const chunk = (delta: Json, finish_reason: string | null = null, id = "chatcmpl-r1") => ({
  id,
  object: "chat.completion.chunk",
  created: CREATED,
  model: model.id,
  choices: [{ index: 0, delta, finish_reason, logprobs: null }],
});
const usageChunk = (usage: Json, id = "chatcmpl-r1") => ({
  id,
  object: "chat.completion.chunk",
  created: CREATED,
  model: model.id,
  choices: [],
  usage,
});
const start = chunk({ role: "assistant", content: "" });
const part = (parts: Json[], finishReason?: string, extra: Json = {}) => ({
  responseId: "r1",
  candidates: [{ content: { role: "model", parts }, ...(finishReason ? { finishReason } : {}) }],
  ...extra,
});

describe("a recorded Gemini stream → Chat Completions chunks", () => {
  it("text in pieces, a thought skipped, usage from the last event with thinking and cached tokens", () => {
    const { stream, before, data } = replay(
      sse([
        part([{ text: "Pondering", thought: true }], undefined, { usageMetadata: { promptTokenCount: 9 } }),
        part([{ text: "Hel" }]),
        part([{ text: "" }, { text: "lo." }], "STOP", {
          usageMetadata: {
            promptTokenCount: 9,
            cachedContentTokenCount: 4,
            candidatesTokenCount: 3,
            thoughtsTokenCount: 6,
          },
        }),
      ]),
    );
    expect(before).toBe(false);
    expect(data).toStrictEqual([
      start,
      chunk({ content: "Hel" }),
      chunk({ content: "lo." }),
      chunk({}, "stop"),
      usageChunk({
        prompt_tokens: 9,
        completion_tokens: 9,
        total_tokens: 18,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 6 },
      }),
      "[DONE]",
    ]);
    expect(stream.finished()).toBe(true);
    expect(stream.usage()).toStrictEqual({
      inputTokens: 9,
      cachedInputTokens: 4,
      cacheWriteTokens: 0,
      outputTokens: 9,
    });
    expect(stream.deliveredChars()).toBe("Pondering".length + "Hello.".length);
  });

  it("tool calls, each its own index, made ids where Gemini gives none; finish tool_calls", () => {
    const { stream, data } = replay(
      sse([
        part([{ functionCall: { id: "g1", name: "weather", args: { city: "Oslo" } } }]),
        part([{ functionCall: { name: "time" } }], "STOP", {
          usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 3 },
        }),
      ]),
    );
    expect(data).toStrictEqual([
      start,
      chunk({ tool_calls: [{ ...call("g1", "weather", '{"city":"Oslo"}'), index: 0 }] }),
      chunk({ tool_calls: [{ ...call("call_00001111222233334444", "time", "{}"), index: 1 }] }),
      chunk({}, "tool_calls"),
      usageChunk({
        prompt_tokens: 9,
        completion_tokens: 3,
        total_tokens: 12,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      }),
      "[DONE]",
    ]);
    expect(stream.deliveredChars()).toBe('{"city":"Oslo"}'.length + 2);
  });

  it("MAX_TOKENS is length; without include_usage no usage chunk", () => {
    const { data } = replay(
      sse([
        part([{ text: "a" }], "MAX_TOKENS", {
          usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1 },
        }),
      ]),
      false,
    );
    expect(data).toStrictEqual([start, chunk({ content: "a" }), chunk({}, "length"), "[DONE]"]);
  });

  it("a safety stop is a refusal and content_filter", () => {
    const { data } = replay(sse([part([{ text: "a" }], "SAFETY")]));
    expect(data).toStrictEqual([
      start,
      chunk({ content: "a" }),
      chunk({ refusal: "The provider's safety filters withheld the answer (SAFETY)." }),
      chunk({}, "content_filter"),
      "[DONE]",
    ]);
  });

  it("a blocked prompt is a refusal naming the block reason", () => {
    const { stream, data } = replay(
      sse([
        {
          responseId: "r1",
          promptFeedback: { blockReason: "BLOCKLIST" },
          usageMetadata: { promptTokenCount: 4 },
        },
      ]),
    );
    expect(data).toStrictEqual([
      start,
      chunk({ refusal: "The provider's safety filters withheld the answer (BLOCKLIST)." }),
      chunk({}, "content_filter"),
      usageChunk({
        prompt_tokens: 4,
        completion_tokens: 0,
        total_tokens: 4,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      }),
      "[DONE]",
    ]);
    expect(stream.finished()).toBe(true);
  });

  it("an error event ends the stream with an OpenAI error; one without a message says so", () => {
    const { stream, data } = replay(
      sse([part([{ text: "a" }]), { error: { code: 500, message: "Overloaded" } }]),
    );
    expect(data).toStrictEqual([
      start,
      chunk({ content: "a" }),
      { error: { message: "Overloaded", type: "api_error", code: "upstream_stream_cut", param: null } },
      "[DONE]",
    ]);
    expect(stream.finished()).toBe(true);
    expect(replay(sse([{ error: {} }])).data).toStrictEqual([
      chunk({ role: "assistant", content: "" }, null, `chatcmpl-${UUID}`),
      { error: { message: "Provider error.", type: "api_error", code: "upstream_stream_cut", param: null } },
      "[DONE]",
    ]);
  });

  it("an event that is not JSON is skipped; without a responseId the id is made; unfinished streams say so", () => {
    const { stream, data } = replay(
      sse(["not json", { candidates: [{ content: { parts: [{ text: "a" }] } }] }]),
    );
    const id = `chatcmpl-${UUID}`;
    expect(data).toStrictEqual([
      chunk({ role: "assistant", content: "" }, null, id),
      chunk({ content: "a" }, null, id),
      "[DONE]",
    ]);
    expect(stream.finished()).toBe(false);
    expect(stream.usage()).toStrictEqual({});
  });

  it("a cut is an OpenAI error", () => {
    const { stream } = replay("");
    expect(stream.cut("Upstream went away.")).toBe(
      `data: ${JSON.stringify({ error: { message: "Upstream went away.", type: "api_error", code: "upstream_stream_cut", param: null } })}\n\n`,
    );
  });
});

describe("embeddings → batchEmbedContents and back", () => {
  const embedModel = {
    ...model,
    id: "google/gemini-embedding-001",
    upstreamModel: "gemini-embedding-001",
    kind: "embedding",
  } as CatalogueModel;
  const ctx = (body: Json) => translationContext(embedModel, body);
  const request = (body: Json) => geminiEmbeddings.request(body, ctx(body));

  it.each<[string, Json, Json]>([
    [
      "one text",
      { model: embedModel.id, input: "hello" },
      {
        model: "gemini-embedding-001",
        requests: [{ model: "models/gemini-embedding-001", content: { parts: [{ text: "hello" }] } }],
      },
    ],
    [
      "a list with dimensions; float encoding and the caller's identity are not sent",
      { model: embedModel.id, input: ["a", "b"], dimensions: 256, encoding_format: "float", user: "u1" },
      {
        model: "gemini-embedding-001",
        requests: [
          {
            model: "models/gemini-embedding-001",
            content: { parts: [{ text: "a" }] },
            outputDimensionality: 256,
          },
          {
            model: "models/gemini-embedding-001",
            content: { parts: [{ text: "b" }] },
            outputDimensionality: 256,
          },
        ],
      },
    ],
  ])("%s", (_name, body, expected) => {
    expect(request(body)).toStrictEqual(expected);
  });

  it.each<[string, Json, Json]>([
    [
      "token arrays",
      { input: [[1, 2]] },
      {
        status: 400,
        message: "'input' cannot be sent to a Gemini model: only text translates.",
        param: "input",
        code: "untranslatable_parameter",
      },
    ],
    [
      "base64 encoding",
      { input: "a", encoding_format: "base64" },
      {
        status: 400,
        message: "'encoding_format' cannot be sent to a Gemini model: floats only.",
        param: "encoding_format",
        code: "untranslatable_parameter",
      },
    ],
  ])("refuses %s", (_name, body, expected) => {
    let thrown: Json;
    try {
      request(body);
    } catch (error) {
      thrown = error;
    }
    const e = thrown as Json;
    expect({
      status: e.status,
      message: e.message,
      param: e.options.param,
      code: e.options.code,
    }).toStrictEqual(expected);
  });

  it("the embeddings' values back as OpenAI's list, metered on the estimate", () => {
    const body = { model: embedModel.id, input: ["a", "b"] };
    expect(
      geminiEmbeddings.response({ embeddings: [{ values: [0.1, 0.2] }, { values: [0.3] }] }, ctx(body)),
    ).toStrictEqual({
      body: {
        object: "list",
        data: [
          { object: "embedding", index: 0, embedding: [0.1, 0.2] },
          { object: "embedding", index: 1, embedding: [0.3] },
        ],
        model: embedModel.id,
        usage: { prompt_tokens: 10, total_tokens: 10 },
      },
      usage: undefined,
    });
    expect((geminiEmbeddings.response({}, ctx(body)).body as Json).data).toStrictEqual([]);
  });

  it("does not stream", () => {
    expect(() => geminiEmbeddings.stream(ctx({}))).toThrow("embeddings do not stream");
  });
});

describe("the Messages API to Gemini, through chat", () => {
  it("a Messages request becomes a generateContent request", () => {
    const body = { model: model.id, max_tokens: 100, system: "Be brief.", messages: hi };
    expect(messagesToGemini.request(body, translationContext(model, body))).toStrictEqual({
      model: "gemini-2.5-flash",
      systemInstruction: { parts: [{ text: "Be brief." }] },
      contents: hiParts,
      generationConfig: { maxOutputTokens: 100 },
    });
  });

  it("a Messages stream, asked for no usage, still carries Gemini's counts in message_delta", () => {
    const body = { model: model.id, max_tokens: 100, messages: hi, stream: true };
    const ctx = { ...translationContext(model, body), includeUsage: false };
    const stream = messagesToGemini.stream(ctx);
    let text = "";
    for (const event of new SseParser().push(
      sse([
        part([{ text: "a" }], "STOP", { usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 3 } }),
      ]),
    ))
      text += stream.event(event);
    text += stream.end();
    const events = new SseParser().push(text).map((e) => JSON.parse(e.data));
    expect(events.find((e) => e.type === "message_delta")?.usage).toMatchObject({ output_tokens: 3 });
  });
});
