// worker/ai/tokens.ts in Node: every input form counted, the tokenizer's counts as OpenAI's chat format gives
// them, and the refusals of what a model cannot take (mutation-tested, ADR 005).
import { encode, encodeChat } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import {
  chatPromptTokens,
  countedInputTokens,
  EMBEDDINGS_REQUEST_TOKENS,
  estimatedInputTokens,
  FILE_BYTES_PER_TOKEN,
  IMAGE_TOKENS,
  inputShape,
  MAX_JSON_DEPTH,
  reservedInputTokens,
} from "#worker/ai/tokens";
import { AppError } from "#worker/errors";

const ids = (n: number) => Array.from({ length: n }, (_, i) => i);

function nested(depth: number): unknown {
  let v: unknown = "x";
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

async function refusal(
  work: Promise<unknown>,
): Promise<{ status: number; code?: string; param?: string; message: string }> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const e = error as AppError;
    return { status: e.status, code: e.options.code, param: e.options.param, message: e.message };
  }
  throw new Error("not refused");
}

describe("inputShape: every input form", () => {
  it("counts the strings of every field but the model id, and keeps them for the tokenizer", () => {
    const shape = inputShape({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hello" }] });
    expect(shape).toEqual({
      texts: ["user", "hello"].sort(),
      chars: 9,
      tokenIds: 0,
      images: 0,
      fileTokens: 0,
      inputs: [],
    });
  });

  it("images count by kind, whatever their data's size, in each dialect's part type", () => {
    const data = "A".repeat(100_000);
    const shape = inputShape({
      messages: [
        {
          role: "user",
          content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${data}` } }],
        },
        { role: "user", content: [{ type: "image", source: { type: "base64", data } }] },
        { role: "user", content: [{ type: "input_image", image_url: data }] },
      ],
    });
    expect(shape.images).toBe(3);
    expect(shape.chars).toBe(12); // "user" three times
    expect(estimatedInputTokens(shape)).toBe(3 + 3 * IMAGE_TOKENS);
  });

  it("files and audio count by their data's size, at least an image's", () => {
    const big = "B".repeat(FILE_BYTES_PER_TOKEN * 10_000);
    const shape = inputShape({
      messages: [
        { content: [{ type: "file", file: { file_data: big } }] },
        { content: [{ type: "input_audio", input_audio: { data: "short" } }] },
        { content: [{ type: "document", source: { type: "base64", data: "c" } }] },
        { content: [{ type: "input_file", file_data: "d" }] },
      ],
    });
    // The file part's strings: the data and its type name ("file"), one token per FILE_BYTES_PER_TOKEN.
    const first = Math.ceil((big.length + 4) / FILE_BYTES_PER_TOKEN);
    expect(shape.fileTokens).toBe(first + 3 * IMAGE_TOKENS);
    expect(shape.chars).toBe(0);
  });

  it("an Anthropic document given as text is text; a part without a string type is walked", () => {
    const shape = inputShape({
      messages: [
        { content: [{ type: "document", source: { type: "text", data: "plain words" } }] },
        { content: [{ type: 7, text: "abc" }] },
        { content: [{ type: "text", text: "de" }] },
      ],
    });
    expect(shape.fileTokens).toBe(0);
    expect(shape.images).toBe(0);
    expect(shape.texts).toEqual(expect.arrayContaining(["plain words", "document", "text", "abc", "de"]));
    expect(shape.chars).toBe("plain words".length + "document".length + "text".length * 2 + 3 + 2);
  });

  it("tool schemas, response formats and text settings count as their whole JSON (keys too)", () => {
    const tools = [{ type: "function", function: { name: "f", parameters: { properties: { abc: {} } } } }];
    for (const field of ["tools", "functions", "response_format", "text"]) {
      const shape = inputShape({ [field]: tools });
      expect(shape.texts, field).toEqual([JSON.stringify(tools)]);
      expect(shape.chars).toBe(JSON.stringify(tools).length);
    }
    // A string there is text like any other.
    expect(inputShape({ text: "hi" }).texts).toEqual(["hi"]);
  });

  it("embeddings input: a token-id array, arrays of them, strings and a mix, each input apart", () => {
    expect(inputShape({ input: ids(7) }, true)).toMatchObject({
      tokenIds: 7,
      inputs: [{ tokenIds: 7, texts: [] }],
    });
    expect(inputShape({ input: [ids(3), ids(5)] }, true)).toMatchObject({
      tokenIds: 8,
      inputs: [
        { tokenIds: 3, texts: [] },
        { tokenIds: 5, texts: [] },
      ],
    });
    expect(inputShape({ input: ["ab", ids(2)] }, true)).toMatchObject({
      tokenIds: 2,
      chars: 2,
      inputs: [
        { tokenIds: 0, texts: ["ab"] },
        { tokenIds: 2, texts: [] },
      ],
    });
    expect(inputShape({ input: "one" }, true)).toMatchObject({
      chars: 3,
      inputs: [{ tokenIds: 0, texts: ["one"] }],
    });
    // Not embeddings: numbers are settings, not tokens.
    expect(inputShape({ input: ids(7) })).toMatchObject({ tokenIds: 0, chars: 0, inputs: [] });
    // An empty array is no token ids.
    expect(inputShape({ input: [] }, true)).toMatchObject({ tokenIds: 0, inputs: [] });
  });

  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels (400 nesting_too_deep), in every field kind`, async () => {
    for (const body of [
      { messages: nested(MAX_JSON_DEPTH) },
      { tools: nested(MAX_JSON_DEPTH) },
      { messages: [{ content: [{ type: "file", data: nested(MAX_JSON_DEPTH) }] }] },
    ]) {
      const e = await refusal((async () => inputShape(body))());
      expect(e).toMatchObject({ status: 400, code: "nesting_too_deep" });
    }
    expect(() => inputShape({ messages: nested(MAX_JSON_DEPTH - 1) })).not.toThrow();
    expect(() => inputShape({ input: nested(MAX_JSON_DEPTH - 1) }, true)).not.toThrow();
    await expect((async () => inputShape({ input: nested(MAX_JSON_DEPTH) }, true))()).rejects.toThrow(
      /deeper/,
    );
  });
});

describe("the tokenizer", () => {
  it("counts text as o200k_base does; token ids, images and files as the estimate", async () => {
    const shape = inputShape({ messages: [{ role: "user", content: "Hello world, how are you?" }] }, false);
    shape.tokenIds = 5;
    shape.images = 1;
    shape.fileTokens = 11;
    expect(await countedInputTokens(shape)).toBe(
      encode("user").length + encode("Hello world, how are you?").length + 5 + IMAGE_TOKENS + 11,
    );
  });

  it("chat prompt tokens as gpt-4o's chat format gives them", async () => {
    const messages = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Wie viele Einwohner hat Zürich?" },
      { role: "assistant", content: "Etwa 420.000." },
      {
        role: "user",
        content: [
          { type: "text", text: "And" },
          { type: "text", text: " Genève?" },
        ],
      },
    ];
    const chat = messages.map((m) => ({
      role: m.role as "user",
      content: typeof m.content === "string" ? m.content : m.content.map((p) => p.text).join(""),
    }));
    const expected = encodeChat(chat, "gpt-4o").length;
    // The two text parts are counted apart: equal here, as "And" and " Genève?" are split there anyway.
    expect(await chatPromptTokens({ messages })).toBe(expected);
    expect(await chatPromptTokens({ messages: [] })).toBe(3);
    expect(await chatPromptTokens({})).toBe(3);
  });

  it("adds a name, tool calls, tool schemas, images and files", async () => {
    const base = await chatPromptTokens({ messages: [{ role: "user", content: "hi" }] });
    expect(base).toBe(3 + 3 + encode("user").length + encode("hi").length);
    expect(await chatPromptTokens({ messages: [{ role: "user", content: "hi", name: "bob" }] })).toBe(
      base + 1 + encode("bob").length,
    );
    const calls = [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }];
    expect(await chatPromptTokens({ messages: [{ role: "user", content: "hi", tool_calls: calls }] })).toBe(
      base + encode(JSON.stringify(calls)).length,
    );
    const tools = [{ type: "function", function: { name: "f", parameters: {} } }];
    expect(await chatPromptTokens({ messages: [{ role: "user", content: "hi" }], tools })).toBe(
      base + encode(JSON.stringify(tools)).length,
    );
    expect(await chatPromptTokens({ messages: [{ role: "user", content: "hi" }], tools: [] })).toBe(base);
    const withImage = [
      { type: "text", text: "hi" },
      { type: "image_url", image_url: { url: "data:x" } },
      { type: "file", file: { file_data: "y" } },
    ];
    expect(await chatPromptTokens({ messages: [{ role: "user", content: withImage }] })).toBe(
      base + 2 * IMAGE_TOKENS,
    );
    // A message without a role or content still has its frame.
    expect(await chatPromptTokens({ messages: [{}] })).toBe(6);
  });
});

describe("reservedInputTokens", () => {
  const chatModel = { id: "m/chat", kind: "chat", contextTokens: 100 };
  const embedModel = { id: "m/embed", kind: "embedding", contextTokens: 100 };

  it("below half the context: the estimate, even with the tokenizer; from half, the tokenizer", async () => {
    // 192 characters of "a " plus "user": 196 characters, 49 tokens by the estimate.
    const under = { messages: [{ role: "user", content: "a ".repeat(96) }] };
    expect(await reservedInputTokens(under, chatModel, true)).toBe(49);
    // 200 characters, 50 by the estimate: half the context, so counted — each " a" is a token.
    const half = { messages: [{ role: "user", content: "a ".repeat(98) }] };
    expect(await reservedInputTokens(half, chatModel, true)).toBe(100);
    expect(await reservedInputTokens(half, chatModel, false)).toBe(50);
  });

  it("from half the context: the tokenizer's count, which may be under the estimate", async () => {
    // " hello" is one token: 60 of them are 360 characters (90 by the estimate), 61 counted.
    const body = { messages: [{ role: "user", content: " hello".repeat(60) }] };
    expect(await reservedInputTokens(body, chatModel, true)).toBe(61);
    // Without the tokenizer (not an OpenAI-family model) the estimate stands.
    expect(await reservedInputTokens(body, chatModel, false)).toBe(91);
  });

  it("over the context: 400 context_length_exceeded naming the model and its context", async () => {
    const body = { messages: [{ role: "user", content: "x y ".repeat(100) }] };
    for (const tokenizer of [true, false]) {
      const e = await refusal(reservedInputTokens(body, chatModel, tokenizer));
      expect(e).toMatchObject({ status: 400, code: "context_length_exceeded", param: "messages" });
      expect(e.message).toBe("The input is longer than m/chat's context of 100 tokens.");
    }
    // Exactly the context is accepted.
    expect(await reservedInputTokens({ input: "x".repeat(396) }, chatModel, false)).toBe(99);
    expect(await reservedInputTokens({ input: "x".repeat(400) }, chatModel, false)).toBe(100);
    await expect(reservedInputTokens({ input: "x".repeat(401) }, chatModel, false)).rejects.toThrow(
      /context/,
    );
  });

  it("embeddings: each input against the model's limit, at its real size", async () => {
    expect(await reservedInputTokens({ input: ids(100) }, embedModel, false)).toBe(100);
    expect(await reservedInputTokens({ input: [ids(100), ids(100), ids(40)] }, embedModel, true)).toBe(240);
    for (const input of [ids(101), [ids(10), ids(101)], ["x".repeat(404)]]) {
      const e = await refusal(reservedInputTokens({ input }, embedModel, false));
      expect(e).toMatchObject({ status: 400, code: "context_length_exceeded", param: "input" });
      expect(e.message).toBe("An input is longer than m/embed's limit of 100 tokens.");
    }
    // With the tokenizer, a long text input near the limit is counted: 80 " hello" are 80 tokens, not 120.
    expect(await reservedInputTokens({ input: [" hello".repeat(80)] }, embedModel, true)).toBe(80);
    await expect(reservedInputTokens({ input: [" hello".repeat(80)] }, embedModel, false)).rejects.toThrow(
      /limit of 100/,
    );
    // Under half the limit an input keeps the estimate.
    expect(await reservedInputTokens({ input: [" hello".repeat(8)] }, embedModel, true)).toBe(12);
  });

  it(`embeddings: all inputs together at most ${EMBEDDINGS_REQUEST_TOKENS} tokens`, async () => {
    const big = { id: "m/big", kind: "embedding", contextTokens: 8_191 };
    const input = Array.from({ length: 37 }, () => ids(8_191));
    const e = await refusal(reservedInputTokens({ input }, big, false));
    expect(e).toMatchObject({ status: 400, code: "context_length_exceeded", param: "input" });
    expect(e.message).toBe(`The inputs hold more than ${EMBEDDINGS_REQUEST_TOKENS} tokens in all.`);
    const fits = Array.from({ length: 36 }, () => ids(8_191));
    fits.push(ids(EMBEDDINGS_REQUEST_TOKENS - 36 * 8_191));
    expect(await reservedInputTokens({ input: fits }, big, false)).toBe(EMBEDDINGS_REQUEST_TOKENS);
  });
});
