// The wire facts the translations share, table by table: Anthropic's usage both ways, stop and finish reasons
// both ways, the characters a stream event delivered, and which fields a translation may drop because they ask
// for nothing.
import { describe, expect, it } from "vitest";
import {
  anthropicEventChars,
  anthropicUsage,
  anthropicUsageOf,
  complete,
  finishReasonFor,
  stopReasonFor,
} from "#worker/ai/translate/anthropic";
import { isNoOp, refuseUnknown } from "#worker/ai/translate/known-fields";
import { withoutIdentity } from "#worker/ai/translate/privacy";
import type { Json } from "#worker/ai/translate/types";

describe("Anthropic's usage → ours", () => {
  it.each<[string, Json, Json]>([
    ["none", undefined, {}],
    ["null", null, {}],
    ["empty", {}, {}],
    ["output only", { output_tokens: 3 }, { outputTokens: 3 }],
    ["input only", { input_tokens: 5 }, { inputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0 }],
    [
      "cache reads and writes are input too, kept apart",
      { input_tokens: 150, cache_read_input_tokens: 800, cache_creation_input_tokens: 50, output_tokens: 20 },
      { inputTokens: 1_000, cachedInputTokens: 800, cacheWriteTokens: 50, outputTokens: 20 },
    ],
    [
      "null cache counts are 0",
      { input_tokens: 5, cache_read_input_tokens: null, cache_creation_input_tokens: null, output_tokens: 1 },
      { inputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 1 },
    ],
    [
      "cache counts without input are not input",
      { cache_read_input_tokens: 8, output_tokens: 1 },
      { outputTokens: 1 },
    ],
  ])("%s", (_name, usage, expected) => {
    expect(anthropicUsage(usage)).toStrictEqual(expected);
  });

  it.each<[string, Json, Json]>([
    [
      "input and output",
      { inputTokens: 5, outputTokens: 1 },
      { inputTokens: 5, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0 },
    ],
    [
      "with the cache",
      { inputTokens: 5, outputTokens: 1, cachedInputTokens: 2, cacheWriteTokens: 1 },
      { inputTokens: 5, outputTokens: 1, cachedInputTokens: 2, cacheWriteTokens: 1 },
    ],
    [
      "zeros are counts",
      { inputTokens: 0, outputTokens: 0 },
      { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 },
    ],
    ["no output", { inputTokens: 5 }, undefined],
    ["no input", { outputTokens: 1 }, undefined],
  ])("complete: %s", (_name, usage, expected) => {
    expect(complete(usage)).toStrictEqual(expected);
  });
});

describe("our usage → Anthropic's", () => {
  it.each<[string, Json, Json]>([
    [
      "none",
      undefined,
      { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
    ],
    [
      "input_tokens is the uncached part",
      { inputTokens: 1_000, cachedInputTokens: 800, cacheWriteTokens: 50, outputTokens: 20 },
      { input_tokens: 150, cache_creation_input_tokens: 50, cache_read_input_tokens: 800, output_tokens: 20 },
    ],
    [
      "never below zero",
      { inputTokens: 10, cachedInputTokens: 800, outputTokens: 1 },
      { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 800, output_tokens: 1 },
    ],
    [
      "all of it cached is zero uncached",
      { inputTokens: 800, cachedInputTokens: 800, outputTokens: 1 },
      { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 800, output_tokens: 1 },
    ],
  ])("%s", (_name, usage, expected) => {
    expect(anthropicUsageOf(usage)).toStrictEqual(expected);
  });
});

describe("stop reasons both ways", () => {
  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["pause_turn", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    ["model_context_window_exceeded", "stop"],
    ["", null],
    [null, null],
    [undefined, null],
  ])("Anthropic %s → OpenAI %s", (stop, finish) => {
    expect(finishReasonFor(stop)).toBe(finish);
  });

  it.each([
    ["stop", "end_turn"],
    ["length", "max_tokens"],
    ["tool_calls", "tool_use"],
    ["function_call", "tool_use"],
    ["content_filter", "refusal"],
    ["eos", "end_turn"],
    ["", null],
    [null, null],
    [undefined, null],
  ])("OpenAI %s → Anthropic %s", (finish, stop) => {
    expect(stopReasonFor(finish)).toBe(stop);
  });
});

describe("characters an Anthropic stream event delivered", () => {
  it.each<[string, Json, number]>([
    ["text", { type: "content_block_delta", delta: { type: "text_delta", text: "Hello" } }, 5],
    ["tool arguments", { type: "content_block_delta", delta: { partial_json: '{"a":1}' } }, 7],
    ["thinking", { type: "content_block_delta", delta: { thinking: "Hmm" } }, 3],
    [
      "all three at once",
      { type: "content_block_delta", delta: { text: "a", partial_json: "bc", thinking: "def" } },
      6,
    ],
    ["a delta without content", { type: "content_block_delta", delta: { type: "signature_delta" } }, 0],
    ["no delta", { type: "content_block_delta" }, 0],
    ["another event", { type: "message_delta", delta: { text: "Hello" } }, 0],
  ])("%s", (_name, event, chars) => {
    expect(anthropicEventChars(event)).toBe(chars);
  });
});

describe("fields that ask for nothing", () => {
  it.each<[string, unknown, boolean]>([
    ["seed", undefined, true],
    ["seed", null, true],
    ["logprobs", false, true],
    ["stop", [], true],
    ["logit_bias", {}, true],
    ["n", 1, true],
    ["n", 2, false],
    ["top_logprobs", 0, true],
    ["presence_penalty", 0, true],
    ["frequency_penalty", 0, true],
    ["truncation", "disabled", true],
    ["truncation", "auto", false],
    ["service_tier", "auto", true],
    ["service_tier", "default", true],
    ["service_tier", "flex", false],
    ["parallel_tool_calls", true, true],
    ["modalities", ["text"], true],
    ["modalities", ["text", "audio"], false],
    ["verbosity", "medium", true],
    ["verbosity", "low", false],
    ["thinking", { type: "disabled" }, true],
    ["thinking", { type: "enabled", budget_tokens: 1024 }, false],
    ["seed", 0, false],
    ["logprobs", true, false],
    ["stop", [""], false],
    ["logit_bias", { "1": 0 }, false],
    ["unknown", "", false],
    ["unknown", 1, false],
  ])("%s = %j: %s", (field, value, noOp) => {
    expect(isNoOp(field, value)).toBe(noOp);
  });

  it("refuses an unknown field that asks for something, by name and model", () => {
    const body = { model: "m", messages: [], include: [], n: 1, guided_regex: "a+" };
    expect(() => refuseUnknown("chat", body, "acme/model-1")).toThrow(
      expect.objectContaining({
        status: 400,
        message:
          "'guided_regex' cannot be sent to acme/model-1: this gateway does not know how to translate it (it is passed through only to a provider of the same API).",
        options: { param: "guided_regex", code: "untranslatable_parameter" },
      }),
    );
  });

  it.each([
    ["chat", { model: "m", messages: [], stream: true, include: [], future: null }],
    ["messages", { model: "m", messages: [], max_tokens: 5, system: "x", top_k: 5 }],
    ["responses", { model: "m", input: "x", instructions: "y", include: [] }],
  ] as const)("lets the %s fields it knows, and unknown ones at no-op values, through", (kind, body) => {
    expect(() => refuseUnknown(kind, body, "acme/model-1")).not.toThrow();
  });

  it("knows each API's own fields apart", () => {
    expect(() => refuseUnknown("chat", { max_output_tokens: 5 }, "m")).toThrow("'max_output_tokens'");
    expect(() => refuseUnknown("responses", { messages: [1] }, "m")).toThrow("'messages'");
    expect(() => refuseUnknown("messages", { input: "x" }, "m")).toThrow("'input'");
  });
});

describe("identifying fields", () => {
  it("are never forwarded; the body given is left as it was", () => {
    const body = {
      model: "m",
      user: "u",
      metadata: { a: "b" },
      safety_identifier: "s",
      prompt_cache_key: "k",
      n: 1,
    };
    expect(withoutIdentity(body)).toStrictEqual({ model: "m", n: 1 });
    expect(body.user).toBe("u");
  });
});
