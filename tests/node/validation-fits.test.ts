// The predicate compiled from each AI request schema (worker/ai/validation/fits.ts) agrees with zod: on bodies
// generated from the OpenAPI document (as the conformance fuzz makes them: fitting, one field broken, any JSON),
// on bodies with one message broken, and on the cases each rule exists for. Where it says yes, zod's output equals
// the body as sent — so the gateway may use the parsed body as it is.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aiRoutes } from "#worker/ai/routes";
import {
  ChatRequest,
  CountTokensRequest,
  EmbeddingsRequest,
  MessagesRequest,
  ResponsesRequest,
} from "#worker/ai/schemas";
import { compileFits } from "#worker/ai/validation/fits";
import { longChatBody, smallChatBody } from "../../bench/bodies";
import { bodies, type Components } from "../pool/conformance/schema-arbitrary";

const document = aiRoutes.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } });
const components = (document.components?.schemas ?? {}) as Components;
type Paths = Record<string, { post: { requestBody: { content: Record<string, { schema: object }> } } }>;
const bodySchema = (path: string) =>
  (document.paths as unknown as Paths)[path]!.post.requestBody.content["application/json"]!.schema;

const ROUTES = [
  ["/chat/completions", ChatRequest],
  ["/messages", MessagesRequest],
  ["/messages/count_tokens", CountTokensRequest],
  ["/responses", ResponsesRequest],
  ["/embeddings", EmbeddingsRequest],
] as const;

/** The predicate and zod give the same verdict on a body as JSON delivers it, and where both accept, zod's output is
 * the input. */
function agrees(schema: (typeof ROUTES)[number][1], generated: unknown) {
  // As it arrives: through JSON (plain prototypes, no -0, no undefined).
  const value = JSON.parse(JSON.stringify(generated) ?? "null");
  const fits = compileFits(schema)(value);
  const parsed = schema.safeParse(value);
  expect(fits, JSON.stringify(value)).toBe(parsed.success);
  if (fits) expect(parsed.data).toStrictEqual(value);
}

/** A body of the route's schema with one field of one message (or input item) replaced by any JSON. */
function brokenMessage(path: string): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      bodies(bodySchema(path), components),
      fc.nat(),
      fc.string({ maxLength: 8 }),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map(([body, at, key, junk]) => {
      const list =
        (body as { messages?: unknown; input?: unknown } | null)?.messages ??
        (body as { input?: unknown })?.input;
      if (!Array.isArray(list) || !list.length) return body;
      const item = list[at % list.length];
      if (typeof item !== "object" || item === null || Array.isArray(item)) return body;
      const keys = Object.keys(item);
      const field = keys.length && at % 3 ? keys[at % keys.length]! : key;
      const messages = list.map((m, i) => (i === at % list.length ? { ...item, [field]: junk } : m));
      return {
        ...(body as object),
        [Array.isArray((body as { messages?: unknown }).messages) ? "messages" : "input"]: messages,
      };
    });
}

describe("the predicate compiled from a request schema", () => {
  it.each(ROUTES)("agrees with zod on %s bodies from the OpenAPI document", (path, schema) => {
    fc.assert(
      fc.property(bodies(bodySchema(path), components), (body) => agrees(schema, body)),
      { numRuns: 400 },
    );
  });

  it.each(ROUTES)("agrees with zod on %s bodies with one message or item broken", (path, schema) => {
    fc.assert(
      fc.property(brokenMessage(path), (body) => agrees(schema, body)),
      { numRuns: 400 },
    );
  });

  const chat = (extra: Record<string, unknown>, message: Record<string, unknown> = {}) => ({
    model: "openai/gpt-4o-mini",
    messages: [{ role: "user", content: "hi", ...message }],
    ...extra,
  });

  it.each<[string, unknown, boolean]>([
    ["the benchmark's body", smallChatBody(), true],
    ["a 200-message conversation", longChatBody(), true],
    ["an unknown field (forward-compatible)", chat({ turbo: { level: 2 } }), true],
    ["null for an optional field", chat({ temperature: null, stop: null }), true],
    ["an unknown role", chat({}, { role: "robot" }), false],
    ["content of the wrong type", chat({}, { content: 5 }), false],
    ["a part without a type", chat({}, { content: [{ text: "hi" }] }), false],
    [
      "a tool call without arguments",
      chat({}, { role: "assistant", tool_calls: [{ id: "1", type: "function", function: { name: "f" } }] }),
      false,
    ],
    ["no messages", chat({ messages: [] }), false],
    ["an empty model", chat({ model: "" }), false],
    ["a temperature above 2", chat({ temperature: 2.5 }), false],
    ["a temperature of exactly 2", chat({ temperature: 2 }), true],
    ["max_tokens 0", chat({ max_tokens: 0 }), false],
    ["a fractional n", chat({ n: 1.5 }), false],
    ["five stop sequences", chat({ stop: ["a", "b", "c", "d", "e"] }), false],
    ["store: true (a refinement)", chat({ store: true }), false],
    ["store: false", chat({ store: false }), true],
    [
      "tool_choice required without tools (the schema's own refinement)",
      chat({ tool_choice: "required" }),
      false,
    ],
    ["a metadata value that is not a string", chat({ metadata: { a: 1 } }), false],
    ["a body that is an array", [chat({})], false],
  ])("chat: %s", (_name, body, expected) => {
    expect(compileFits(ChatRequest)(body)).toBe(expected);
    agrees(ChatRequest, body);
  });

  it("leaves to zod what zod would change: an undeclared __proto__ key (zod drops it from its output)", () => {
    const body = JSON.parse(
      '{"model":"m","messages":[{"role":"user","content":"hi"}],"metadata":{"__proto__":"x"}}',
    );
    expect(compileFits(ChatRequest)(body)).toBe(false);
    expect(ChatRequest.safeParse(body).success).toBe(true);
  });

  it("refuses an unknown field where the schema is strict (embeddings)", () => {
    agrees(EmbeddingsRequest, { model: "openai/text-embedding-3-small", input: "a", turbo: true });
    expect(compileFits(EmbeddingsRequest)({ model: "m", input: "a", turbo: true })).toBe(false);
    expect(compileFits(EmbeddingsRequest)({ model: "m", input: [[1, 2], [3]] })).toBe(true);
  });

  it("needs max_tokens for a Messages request and takes a system prompt as text or parts", () => {
    const messages = [{ role: "user", content: "hi" }];
    expect(compileFits(MessagesRequest)({ model: "m", messages })).toBe(false);
    expect(
      compileFits(MessagesRequest)({
        model: "m",
        max_tokens: 5,
        messages,
        system: [{ type: "text", text: "s" }],
      }),
    ).toBe(true);
    expect(
      compileFits(MessagesRequest)({ model: "m", max_tokens: 5, messages, tool_choice: { type: "any" } }),
    ).toBe(false);
  });
});
