// Cached input in every translation: the provider's cache reads and writes are kept apart for billing and told
// to the client in its own dialect (OpenAI: prompt_tokens_details.cached_tokens; Anthropic: input_tokens is the
// uncached part, with cache_read_input_tokens and cache_creation_input_tokens beside it).
import { describe, expect, it } from "vitest";
import type { CatalogueModel } from "#worker/ai/catalogue/model";
import { SseParser } from "#worker/ai/sse";
import { translationFor } from "#worker/ai/translate";
import type { Json } from "#worker/ai/translate/types";
import { provider, translationContext } from "./support/translation";

const model = { id: "x/model", upstreamModel: "model", structuredOutput: true } as CatalogueModel;
const ctx = (body: Record<string, unknown>) => translationContext(model, body);
const hi = [{ role: "user", content: "Hi" }];

/** Anthropic's usage for 1,000 input tokens: 150 uncached, 800 read from the cache, 50 written to it. */
const anthropicCached = {
  input_tokens: 150,
  cache_read_input_tokens: 800,
  cache_creation_input_tokens: 50,
  output_tokens: 20,
};
/** OpenAI's usage for 1,000 input tokens of which 800 were cached. */
const openaiCached = {
  prompt_tokens: 1_000,
  completion_tokens: 20,
  total_tokens: 1_020,
  prompt_tokens_details: { cached_tokens: 800 },
  completion_tokens_details: { reasoning_tokens: 15 },
};
const billed = { inputTokens: 1_000, cachedInputTokens: 800, outputTokens: 20 };

function run(translator: { event(e: { event?: string; data: string }): string; end(): string }, sse: string) {
  let out = "";
  for (const event of new SseParser().push(sse)) out += translator.event(event);
  out += translator.end();
  return new SseParser()
    .push(out)
    .filter((e) => e.data !== "[DONE]")
    .map((e) => JSON.parse(e.data) as Json);
}
const anthropicSse = (events: Json[]) =>
  events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join("");
const openaiSse = (chunks: Json[]) =>
  `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("")}data: [DONE]\n\n`;

describe("an Anthropic provider's cache, told to an OpenAI client", () => {
  const t = translationFor("openai", provider("anthropic"), "chat");

  it("answers prompt_tokens with every input token and cached_tokens with the reads; bills each class", () => {
    const upstream = {
      id: "m",
      content: [{ type: "text", text: "ok" }],
      stop_reason: "end_turn",
      usage: anthropicCached,
    };
    const { body, usage } = t.response(upstream, ctx({ model: model.id, messages: hi })) as {
      body: Json;
      usage: Json;
    };
    expect(body.usage).toMatchObject({ prompt_tokens: 1_000, prompt_tokens_details: { cached_tokens: 800 } });
    expect(usage).toEqual({ ...billed, cacheWriteTokens: 50 });
  });

  it("streams the same in the usage chunk, from message_start's cache fields", () => {
    const stream = t.stream(ctx({ model: model.id, messages: hi, stream: true }));
    const chunks = run(
      stream,
      anthropicSse([
        { type: "message_start", message: { id: "m", usage: { ...anthropicCached, output_tokens: 1 } } },
        { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 20 } },
        { type: "message_stop" },
      ]),
    );
    expect(chunks.at(-1).usage).toMatchObject({
      prompt_tokens: 1_000,
      prompt_tokens_details: { cached_tokens: 800 },
    });
    expect(stream.usage()).toEqual({ ...billed, cacheWriteTokens: 50 });
  });

  it("answers the Responses API with input_tokens_details.cached_tokens", () => {
    const r = translationFor("openai", provider("anthropic"), "responses");
    const upstream = {
      id: "m",
      content: [{ type: "text", text: "ok" }],
      stop_reason: "end_turn",
      usage: anthropicCached,
    };
    const { body, usage } = r.response(upstream, ctx({ model: model.id, input: "Hi" })) as {
      body: Json;
      usage: Json;
    };
    expect(body.usage).toMatchObject({ input_tokens: 1_000, input_tokens_details: { cached_tokens: 800 } });
    expect(usage).toMatchObject(billed);
  });
});

describe("an OpenAI provider's cache, told to an Anthropic client", () => {
  const t = translationFor("anthropic", provider("openai"), "chat");
  const body = { model: model.id, max_tokens: 10, messages: hi };

  it("answers input_tokens with the uncached part and cache_read_input_tokens with the reads", () => {
    const upstream = {
      id: "c",
      choices: [{ index: 0, message: { content: "ok" }, finish_reason: "stop" }],
      usage: openaiCached,
    };
    const { body: out, usage } = t.response(upstream, ctx(body)) as { body: Json; usage: Json };
    expect(out.usage).toEqual({
      input_tokens: 200,
      cache_read_input_tokens: 800,
      cache_creation_input_tokens: 0,
      output_tokens: 20,
    });
    // Reasoning tokens are inside completion_tokens: billed as output.
    expect(usage).toEqual({ ...billed, cacheWriteTokens: 0 });
  });

  it("streams the provider's final counts in message_delta.usage", () => {
    const stream = t.stream(ctx({ ...body, stream: true }));
    const events = run(
      stream,
      openaiSse([
        { id: "c", choices: [{ index: 0, delta: { content: "ok" }, finish_reason: null }] },
        { id: "c", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
        { id: "c", choices: [], usage: openaiCached },
      ]),
    );
    const delta = events.find((e) => e.type === "message_delta");
    expect(delta.usage).toMatchObject({ input_tokens: 200, cache_read_input_tokens: 800, output_tokens: 20 });
    expect(stream.usage()).toMatchObject(billed);
  });
});

describe("an OpenAI Responses provider's cache", () => {
  it("is read from input_tokens_details.cached_tokens", () => {
    const r = translationFor("openai", provider("openai", true), "responses");
    const upstream = {
      id: "resp",
      output: [],
      usage: { input_tokens: 1_000, input_tokens_details: { cached_tokens: 800 }, output_tokens: 20 },
    };
    expect(r.response(upstream, ctx({ model: model.id, input: "Hi" })).usage).toMatchObject(billed);
  });
});
