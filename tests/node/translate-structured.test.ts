// Structured output across dialects, asserted whole: an OpenAI JSON format to an Anthropic model (output_config,
// or a forced tool where the model has none), the forced tool's answer turned back into JSON text (whole and
// streamed), and Anthropic's output_config to an OpenAI model.
import { describe, expect, it } from "vitest";
import type { CatalogueModel } from "#worker/ai/catalogue/model";
import {
  anthropicStructured,
  ForcedToolUnwrapper,
  openaiResponseFormat,
  unwrapForcedTool,
  usesForcedTool,
} from "#worker/ai/translate/structured";
import type { Json } from "#worker/ai/translate/types";

const current = { id: "anthropic/claude-haiku-4-5", structuredOutput: true } as CatalogueModel;
const older = { id: "anthropic/claude-3-haiku", structuredOutput: false } as CatalogueModel;
const schema = { type: "object", properties: { a: { type: "number" } } };
const forced = (input_schema: Json) => ({
  tools: [{ name: "json_response", description: "Answer with this JSON.", input_schema }],
  tool_choice: { type: "tool", name: "json_response" },
});

function refusal(body: Json, model: CatalogueModel, param = "response_format") {
  try {
    anthropicStructured(body, model, param);
  } catch (error) {
    const e = error as Json;
    return { status: e.status, message: e.message, param: e.options.param, code: e.options.code };
  }
  throw new Error("translated");
}

describe("an OpenAI JSON format → Anthropic", () => {
  it.each<[string, Json, CatalogueModel, Json, boolean]>([
    ["no format", {}, current, {}, false],
    ["a text format", { response_format: { type: "text" } }, older, {}, false],
    ["Responses' text format", { text: { format: { type: "text" } } }, older, {}, false],
    [
      "chat's json_schema to a model with output_config",
      { response_format: { type: "json_schema", json_schema: { name: "x", schema } } },
      current,
      { output_config: { format: { type: "json_schema", schema } } },
      false,
    ],
    [
      "Responses' json_schema to a model with output_config",
      { text: { format: { type: "json_schema", name: "x", schema } } },
      current,
      { output_config: { format: { type: "json_schema", schema } } },
      false,
    ],
    [
      "chat's json_schema to an older model: a forced tool",
      { response_format: { type: "json_schema", json_schema: { name: "x", schema } } },
      older,
      forced(schema),
      true,
    ],
    [
      "Responses' json_schema to an older model: a forced tool",
      { text: { format: { type: "json_schema", schema } } },
      older,
      forced(schema),
      true,
    ],
    [
      "json_object: a forced tool, even with output_config",
      { response_format: { type: "json_object" } },
      current,
      forced({ type: "object" }),
      true,
    ],
    [
      "Responses' json_object: a forced tool",
      { text: { format: { type: "json_object" } } },
      older,
      forced({ type: "object" }),
      true,
    ],
    [
      "an empty tools list is no tools",
      { response_format: { type: "json_object" }, tools: [] },
      older,
      forced({ type: "object" }),
      true,
    ],
  ])("%s", (_name, body, model, expected, usesTool) => {
    expect(anthropicStructured(body, model, "response_format")).toStrictEqual(expected);
    expect(usesForcedTool(body, model)).toBe(usesTool);
  });

  it.each<[string, Json, CatalogueModel, Json]>([
    [
      "a json_schema without a schema",
      { response_format: { type: "json_schema", json_schema: { name: "x" } } },
      current,
      {
        status: 400,
        message: "'response_format' needs a schema.",
        param: "response_format",
        code: "invalid_request",
      },
    ],
    [
      "a json_schema without its json_schema",
      { response_format: { type: "json_schema" } },
      older,
      {
        status: 400,
        message: "'response_format' needs a schema.",
        param: "response_format",
        code: "invalid_request",
      },
    ],
    [
      "a forced tool beside the client's tools",
      { response_format: { type: "json_object" }, tools: [{ type: "function" }] },
      older,
      {
        status: 400,
        message:
          "'response_format' together with tools cannot be sent to anthropic/claude-3-haiku, which has no structured-output parameter.",
        param: "response_format",
        code: "untranslatable_parameter",
      },
    ],
    [
      "a forced tool for a schema that is not an object",
      { response_format: { type: "json_schema", json_schema: { schema: { type: "array" } } } },
      older,
      {
        status: 400,
        message:
          "'response_format' must describe a JSON object for anthropic/claude-3-haiku (it answers through a tool).",
        param: "response_format",
        code: "untranslatable_parameter",
      },
    ],
  ])("refuses %s", (_name, body, model, expected) => {
    expect(refusal(body, model)).toStrictEqual(expected);
  });

  it("names the client's parameter in a refusal", () => {
    expect(refusal({ text: { format: { type: "json_schema" } } }, current, "text.format")).toStrictEqual({
      status: 400,
      message: "'text.format' needs a schema.",
      param: "text.format",
      code: "invalid_request",
    });
  });
});

describe("the forced tool's answer → JSON text", () => {
  it("turns the forced tool's input into a text block and tool_use into end_turn; other blocks stay", () => {
    const message = {
      id: "m",
      content: [
        { type: "text", text: "Here." },
        { type: "tool_use", id: "t1", name: "json_response", input: { a: 1 } },
        { type: "tool_use", id: "t2", name: "json_response" },
        { type: "tool_use", id: "t3", name: "other", input: {} },
      ],
      stop_reason: "tool_use",
      usage: { input_tokens: 1 },
    };
    expect(unwrapForcedTool(message)).toStrictEqual({
      id: "m",
      content: [
        { type: "text", text: "Here." },
        { type: "text", text: '{"a":1}' },
        { type: "text", text: "{}" },
        { type: "tool_use", id: "t3", name: "other", input: {} },
      ],
      stop_reason: "end_turn",
      usage: { input_tokens: 1 },
    });
  });

  it("keeps other stop reasons; a message without content has none", () => {
    expect(unwrapForcedTool({ stop_reason: "max_tokens" })).toStrictEqual({
      content: [],
      stop_reason: "max_tokens",
    });
  });

  it("rewrites a stream: the forced block as text, its arguments as text deltas, tool_use as end_turn", () => {
    const unwrapper = new ForcedToolUnwrapper();
    const event = (e: Json) => ({
      event: e.type,
      data: JSON.stringify(e),
      raw: `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`,
    });
    const rewritten = (e: Json) => ({
      event: e.type,
      data: JSON.stringify(e),
      raw: `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`,
    });
    const cases: [Json, Json | "same"][] = [
      [{ type: "message_start", message: { id: "m" } }, "same"],
      [
        {
          type: "content_block_start",
          index: 1,
          content_block: { type: "tool_use", id: "t", name: "json_response", input: {} },
        },
        { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
      ],
      [
        {
          type: "content_block_start",
          index: 2,
          content_block: { type: "tool_use", id: "u", name: "other", input: {} },
        },
        "same",
      ],
      [{ type: "content_block_start", index: 3, content_block: { type: "text", text: "" } }, "same"],
      [
        { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"a":' } },
        { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: '{"a":' } },
      ],
      [
        { type: "content_block_delta", index: 1 },
        { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "" } },
      ],
      [
        { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: "{}" } },
        "same",
      ],
      [{ type: "content_block_stop", index: 1 }, "same"],
      [
        {
          type: "message_delta",
          delta: { stop_reason: "tool_use", stop_sequence: null },
          usage: { output_tokens: 3 },
        },
        {
          type: "message_delta",
          delta: { stop_reason: "end_turn", stop_sequence: null },
          usage: { output_tokens: 3 },
        },
      ],
      [{ type: "message_delta", delta: { stop_reason: "max_tokens" } }, "same"],
      [{ type: "message_delta" }, "same"],
    ];
    for (const [input, expected] of cases) {
      const raw = event(input);
      const out = unwrapper.event(raw);
      if (expected === "same") expect(out).toBe(raw);
      else expect(out).toStrictEqual(rewritten(expected));
    }
    const notJson = { event: "ping", data: "nope", raw: "event: ping\ndata: nope\n\n" };
    expect(unwrapper.event(notJson)).toBe(notJson);
  });
});

describe("Anthropic's output_config → OpenAI's response_format", () => {
  it("is a json_schema named response, not strict", () => {
    expect(
      openaiResponseFormat({ output_config: { format: { type: "json_schema", schema } } }),
    ).toStrictEqual({
      type: "json_schema",
      json_schema: { name: "response", schema, strict: false },
    });
  });

  it("is nothing without a format", () => {
    expect(openaiResponseFormat({})).toBeUndefined();
    expect(openaiResponseFormat({ output_config: { effort: "low" } })).toBeUndefined();
  });

  it("refuses another format type by name", () => {
    expect(() => openaiResponseFormat({ output_config: { format: { type: "regex" } } })).toThrow(
      expect.objectContaining({
        status: 400,
        message: "'output_config.format.type' regex cannot be sent to an OpenAI model.",
        options: { param: "output_config.format.type", code: "untranslatable_parameter" },
      }),
    );
  });
});
