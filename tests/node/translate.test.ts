// The dialect translators as pure functions, table by table: requests mapped field by field, stop reasons
// both ways, OpenAI parameters Anthropic cannot take refused by name, and a stream turned into chunks.
import { describe, expect, it } from "vitest";
import type { CatalogueModel } from "#worker/ai/catalogue/model";
import { SseParser } from "#worker/ai/sse";
import { translationFor } from "#worker/ai/translate";
import { openaiChunkChars } from "#worker/ai/translate/chat-to-chat";
import { AppError } from "#worker/errors";
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
const ctx = (body: Record<string, unknown>) => translationContext(model, body);
const chatToMessages = translationFor("openai", provider("anthropic"), "chat");
const messagesToChat = translationFor("anthropic", provider("openai"), "chat");
const hi = [{ role: "user", content: "Hi" }];

/** Feeds Anthropic SSE events through a stream translation; returns the data lines it wrote. */
function relay(
  stream: ReturnType<typeof chatToMessages.stream>,
  upstream: readonly (readonly [string, unknown])[],
): string[] {
  const sse = upstream.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
  let out = "";
  for (const event of new SseParser().push(sse)) out += stream.event(event);
  out += stream.end();
  return new SseParser().push(out).map((e) => e.data);
}

describe("OpenAI chat → Anthropic messages", () => {
  it.each([
    [
      "system messages move to the top-level field, max_tokens defaults",
      { messages: [{ role: "system", content: "Be brief." }, ...hi] },
      { model: "claude-haiku-4-5", messages: hi, max_tokens: 4096, system: "Be brief." },
    ],
    [
      "developer messages count as system, stop becomes stop_sequences",
      { messages: [{ role: "developer", content: "Be brief." }, ...hi], stop: ["x"], max_tokens: 50 },
      { model: "claude-haiku-4-5", messages: hi, max_tokens: 50, system: "Be brief.", stop_sequences: ["x"] },
    ],
  ])("%s", (_name, body, expected) => {
    const full = { model: model.id, ...body };
    expect(chatToMessages.request(full, ctx(full))).toMatchObject(expected);
  });

  it.each([
    "logprobs",
    "top_logprobs",
    "logit_bias",
    "presence_penalty",
    "frequency_penalty",
    "seed",
    "audio",
    "modalities",
    "prediction",
    "web_search_options",
    "reasoning_effort",
  ])("refuses %s by name (400 untranslatable_parameter), never drops it", (param) => {
    const body = { model: model.id, messages: hi, [param]: 1 };
    let thrown: unknown;
    try {
      chatToMessages.request(body, ctx(body));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ status: 400, options: { param, code: "untranslatable_parameter" } });
  });

  it.each([
    ["end_turn", "stop"],
    ["max_tokens", "length"],
    ["stop_sequence", "stop"],
    ["tool_use", "tool_calls"],
  ])("maps stop_reason %s to finish_reason %s", (stopReason, finishReason) => {
    const body = { model: model.id, messages: hi };
    const upstream = {
      id: "msg_1",
      content: [{ type: "text", text: "Hello" }],
      stop_reason: stopReason,
      usage: { input_tokens: 7, output_tokens: 2 },
    };
    const { body: out, usage } = chatToMessages.response(upstream, ctx(body)) as {
      body: { choices: { finish_reason: string; message: { content: string } }[]; usage: unknown };
      usage: unknown;
    };
    expect(out.choices[0]).toMatchObject({ finish_reason: finishReason, message: { content: "Hello" } });
    expect(out.usage).toEqual({
      prompt_tokens: 7,
      completion_tokens: 2,
      total_tokens: 9,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    expect(usage).toEqual({ inputTokens: 7, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0 });
  });

  it("turns an Anthropic stream into OpenAI chunks, the usage chunk and [DONE]", () => {
    const body = { model: model.id, messages: hi, stream: true };
    const stream = chatToMessages.stream(ctx(body));
    const upstream = [
      [
        "message_start",
        { type: "message_start", message: { id: "msg_1", usage: { input_tokens: 7, output_tokens: 1 } } },
      ],
      [
        "content_block_start",
        { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      ],
      [
        "content_block_delta",
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello" } },
      ],
      [
        "message_delta",
        { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 2 } },
      ],
      ["message_stop", { type: "message_stop" }],
    ] as const;
    const chunks = relay(stream, upstream);
    expect(chunks.at(-1)).toBe("[DONE]");
    const parsed = chunks.slice(0, -1).map((d) => JSON.parse(d));
    expect(parsed.map((c) => c.choices[0]?.delta?.content ?? null)).toEqual(["", "Hello", null, null]);
    expect(parsed.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual([null, null, "stop", null]);
    expect(parsed.at(-1).usage).toEqual({
      prompt_tokens: 7,
      completion_tokens: 2,
      total_tokens: 9,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    expect(stream.usage()).toMatchObject({ inputTokens: 7, outputTokens: 2, cachedInputTokens: 0 });
    expect(stream.finished()).toBe(true);
    expect(stream.deliveredChars()).toBe(5);
  });

  it("numbers tool calls from 0 in the order they start, whatever Anthropic's block index (text first, parallel tools)", () => {
    const stream = chatToMessages.stream(ctx({ model: model.id, messages: hi, stream: true }));
    const block = (index: number, content_block: unknown) =>
      ["content_block_start", { type: "content_block_start", index, content_block }] as const;
    const args = (index: number, partial_json: string) =>
      [
        "content_block_delta",
        { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } },
      ] as const;
    const chunks = relay(stream, [
      [
        "message_start",
        { type: "message_start", message: { id: "msg_2", usage: { input_tokens: 9, output_tokens: 1 } } },
      ],
      block(0, { type: "text", text: "" }),
      [
        "content_block_delta",
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Checking." } },
      ],
      block(1, { type: "tool_use", id: "toolu_a", name: "weather", input: {} }),
      block(2, { type: "tool_use", id: "toolu_b", name: "time", input: {} }),
      args(2, '{"tz":"UTC"}'),
      args(1, '{"city":"Oslo"}'),
      [
        "message_delta",
        { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 12 } },
      ],
      ["message_stop", { type: "message_stop" }],
    ]);
    const calls = chunks.slice(0, -1).flatMap((d) => JSON.parse(d).choices[0]?.delta?.tool_calls ?? []) as {
      index: number;
      id?: string;
      function: { name?: string; arguments: string };
    }[];
    expect(calls.filter((c) => c.id).map((c) => [c.index, c.id, c.function.name])).toEqual([
      [0, "toolu_a", "weather"],
      [1, "toolu_b", "time"],
    ]);
    const argumentsOf = (index: number) =>
      calls
        .filter((c) => c.index === index)
        .map((c) => c.function.arguments)
        .join("");
    expect(argumentsOf(0)).toBe('{"city":"Oslo"}');
    expect(argumentsOf(1)).toBe('{"tz":"UTC"}');
    expect(JSON.parse(chunks.at(-2)!).usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 12,
      total_tokens: 21,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });
});

describe("Anthropic messages → OpenAI chat", () => {
  it.each([
    [
      "the system field becomes the first message, stop_sequences becomes stop",
      { system: "Be brief.", max_tokens: 100, messages: hi, stop_sequences: ["x"] },
      { messages: [{ role: "system", content: "Be brief." }, ...hi], max_tokens: 100, stop: ["x"] },
    ],
    [
      "no system field, no system message",
      { max_tokens: 10, messages: hi },
      { messages: hi, max_tokens: 10 },
    ],
  ])("%s", (_name, body, expected) => {
    const full = { model: "openai/gpt-4o-mini", ...body };
    expect(messagesToChat.request(full, ctx(full))).toMatchObject(expected);
  });

  it.each([
    ["stop", "end_turn"],
    ["length", "max_tokens"],
    ["tool_calls", "tool_use"],
    ["content_filter", "refusal"],
  ])("maps finish_reason %s to stop_reason %s", (finishReason, stopReason) => {
    const body = { model: "openai/gpt-4o-mini", max_tokens: 10, messages: hi };
    const upstream = {
      id: "c1",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello" }, finish_reason: finishReason }],
      usage: { prompt_tokens: 7, completion_tokens: 2 },
    };
    const { body: out, usage } = messagesToChat.response(upstream, ctx(body)) as {
      body: { stop_reason: string; content: unknown; usage: unknown };
      usage: unknown;
    };
    expect(out.stop_reason).toBe(stopReason);
    expect(out.content).toEqual([{ type: "text", text: "Hello" }]);
    expect(out.usage).toEqual({
      input_tokens: 7,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 2,
    });
    expect(usage).toEqual({ inputTokens: 7, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0 });
  });
});

describe("characters an OpenAI chunk delivered (the estimate when no usage arrives)", () => {
  it.each([
    ["text", { content: "Hello" }, 5],
    ["a refusal", { refusal: "I can't help" }, 12],
    ["reasoning", { reasoning_content: "think" }, 5],
    ["tool-call arguments", { tool_calls: [{ function: { arguments: '{"a":1}' } }] }, 7],
    ["a role only", { role: "assistant" }, 0],
    ["text and a refusal", { content: "ab", refusal: "cd" }, 4],
  ])("counts %s", (_, delta, chars) => {
    expect(openaiChunkChars({ choices: [{ index: 0, delta }] })).toBe(chars);
  });
});
