// Every provider kind (OpenAI-compatible, Anthropic, Gemini, Azure, Bedrock, the in-process dev provider) through
// every dialect we serve (chat completions, Responses, Messages, count_tokens, embeddings, models, errors), whole and
// streamed, text and tool calls: each answer and each stream event must fit the provider's documented schema —
// OpenAI's published OpenAPI document and Anthropic's SDK types (documented-shapes.ts).
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "#worker/index";
import { marker } from "../support/ai-helpers";
import { call, newKeyUser, ORIGIN } from "../support/helpers";
import { eventSchema, problems } from "./documented-shapes";

const CHAT_MODELS = [
  "openai/gpt-4o-mini",
  "anthropic/claude-3-5-haiku-latest",
  "anthropic/claude-haiku-4-5",
  "gemini/gemini-2.5-flash",
  "azure/gpt-4o-mini",
  "bedrock/nova-pro",
  "dev/echo",
];

/** Models without structured output (Converse has no response format; its catalogue entries lack the capability):
 * the json_schema cases are refused for them, by name, and left out here. */
const UNSTRUCTURED = new Set(["bedrock/nova-pro"]);
const structured = (model: string) => (c: Case) => c.label !== "json_schema" || !UNSTRUCTURED.has(model);

/** The Worker with the data-configured providers (Gemini among them) on their fakes. */
const withProviders = { ...env, ...env.PROVIDER_VARS } as Env;
const weather = {
  name: "weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
const citySchema = {
  type: "object",
  properties: { city: { type: "string" }, population: { type: "integer" } },
  required: ["city", "population"],
  additionalProperties: false,
};

type Sent = { event?: string; data: string };

function sseEvents(text: string): Sent[] {
  return text
    .split(/\n\n/)
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = block
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      return { event, data };
    });
}

const anthropicHeaders = { "anthropic-version": "2023-06-01" };

async function post(key: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await worker.fetch(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
    withProviders,
    createExecutionContext(),
  );
  const text = await res.text();
  return { status: res.status, text };
}

/**
 * Where OpenAI's own answers differ from its document, we answer as OpenAI does: `usage: null` on
 * response.created and response.in_progress (the count is not known yet), so those are checked without it.
 */
function asOpenAIAnswers(data: Record<string, unknown>): Record<string, unknown> {
  const response = data.response as Record<string, unknown> | undefined;
  if (
    (data.type === "response.created" || data.type === "response.in_progress") &&
    response?.usage === null
  ) {
    const { usage: _, ...rest } = response;
    return { ...data, response: rest };
  }
  return data;
}

/** Every problem of a whole answer or a stream under the documented schemas. */
function check(doc: "openai" | "anthropic", whole: string, text: string, stream: boolean): string[] {
  if (!stream) return [problems(doc, whole, JSON.parse(text))].filter(Boolean);
  const found: string[] = [];
  for (const e of sseEvents(text)) {
    if (e.data === "[DONE]") continue;
    const data = JSON.parse(e.data);
    const name =
      doc === "openai" && whole === "CreateChatCompletionResponse"
        ? "CreateChatCompletionStreamResponse"
        : eventSchema(doc, data.type);
    const p = problems(doc, name, doc === "openai" ? asOpenAIAnswers(data) : data);
    if (p) found.push(`${data.type ?? "chunk"} ${p}`);
  }
  return found;
}

type Case = { label: string; body: Record<string, unknown> };

const chatCases = (model: string): Case[] => [
  { label: "text", body: { model, messages: [{ role: "user", content: marker() }] } },
  {
    label: "forced tool",
    body: {
      model,
      messages: [{ role: "user", content: marker() }],
      tools: [{ type: "function", function: weather }],
      tool_choice: { type: "function", function: { name: "weather" } },
    },
  },
  {
    label: "json_schema",
    body: {
      model,
      messages: [{ role: "user", content: marker() }],
      response_format: {
        type: "json_schema",
        json_schema: { name: "city", schema: citySchema, strict: true },
      },
    },
  },
];

const responsesCases = (model: string): Case[] => [
  { label: "text", body: { model, input: marker() } },
  {
    label: "forced tool",
    body: {
      model,
      input: marker(),
      tools: [{ type: "function", ...weather }],
      tool_choice: { type: "function", name: "weather" },
    },
  },
  {
    label: "json_schema",
    body: {
      model,
      input: marker(),
      text: { format: { type: "json_schema", name: "city", schema: citySchema } },
    },
  },
];

const messagesCases = (model: string): Case[] => [
  { label: "text", body: { model, max_tokens: 64, messages: [{ role: "user", content: marker() }] } },
  {
    label: "forced tool",
    body: {
      model,
      max_tokens: 64,
      messages: [{ role: "user", content: marker() }],
      tools: [{ name: "weather", description: weather.description, input_schema: weather.parameters }],
      tool_choice: { type: "tool", name: "weather" },
    },
  },
];

describe.each(CHAT_MODELS)("%s", (model) => {
  it("chat completions, whole and streamed, fit OpenAI's schemas", async () => {
    const { key } = await newKeyUser();
    const found: string[] = [];
    for (const c of chatCases(model).filter(structured(model))) {
      for (const stream of [false, true]) {
        const body = stream ? { ...c.body, stream, stream_options: { include_usage: true } } : c.body;
        const res = await post(key, "/v1/chat/completions", body);
        expect(res.status, `${c.label} ${stream}: ${res.text}`).toBe(200);
        found.push(
          ...check("openai", "CreateChatCompletionResponse", res.text, stream).map((p) => `${c.label}: ${p}`),
        );
      }
    }
    expect(found).toEqual([]);
  });

  it("Responses, whole and streamed (every event type), fit OpenAI's schemas", async () => {
    const { key } = await newKeyUser();
    const found: string[] = [];
    for (const c of responsesCases(model).filter(structured(model))) {
      for (const stream of [false, true]) {
        const res = await post(key, "/v1/responses", { ...c.body, stream });
        expect(res.status, `${c.label} ${stream}: ${res.text}`).toBe(200);
        found.push(...check("openai", "Response", res.text, stream).map((p) => `${c.label}: ${p}`));
      }
    }
    expect(found).toEqual([]);
  });

  it("Messages, whole and streamed, and count_tokens fit Anthropic's shapes", async () => {
    const { key } = await newKeyUser();
    const found: string[] = [];
    for (const c of messagesCases(model)) {
      for (const stream of [false, true]) {
        const res = await post(key, "/v1/messages", { ...c.body, stream }, anthropicHeaders);
        expect(res.status, `${c.label} ${stream}: ${res.text}`).toBe(200);
        found.push(...check("anthropic", "Message", res.text, stream).map((p) => `${c.label}: ${p}`));
      }
    }
    const { max_tokens: _, ...countBody } = messagesCases(model)[0]!.body;
    const count = await post(key, "/v1/messages/count_tokens", countBody, anthropicHeaders);
    expect(count.status).toBe(200);
    found.push(...check("anthropic", "MessageTokensCount", count.text, false));
    expect(found).toEqual([]);
  });
});

describe("the rest of the API", () => {
  it("embeddings (OpenAI and dev), the model list and errors fit the documented schemas", async () => {
    const { key } = await newKeyUser();
    const found: string[] = [];
    for (const model of ["openai/text-embedding-3-small", "dev/embed"]) {
      const res = await post(key, "/v1/embeddings", { model, input: ["a", "b"] });
      expect(res.status, res.text).toBe(200);
      found.push(...check("openai", "CreateEmbeddingResponse", res.text, false));
      // base64: the document says a list of floats; OpenAI answers the encoded string, and so do we.
      const encoded = await post(key, "/v1/embeddings", { model, input: "a", encoding_format: "base64" });
      const answer = JSON.parse(encoded.text) as { data: { embedding: unknown }[] };
      expect(typeof answer.data[0]!.embedding).toBe("string");
      found.push(
        problems("openai", "CreateEmbeddingResponse", {
          ...answer,
          data: [{ ...answer.data[0], embedding: [] }],
        }),
      );
    }
    const models = await call("/v1/models", { key });
    found.push(problems("openai", "ListModelsResponse", await models.json()));
    for (const path of ["/v1/chat/completions", "/v1/responses", "/v1/embeddings"]) {
      const res = await post(key, path, { model: "nope/model", messages: [], input: "x" });
      expect(res.status).toBeGreaterThanOrEqual(400);
      found.push(problems("openai", "ErrorResponse", JSON.parse(res.text)));
    }
    for (const path of ["/v1/messages", "/v1/messages/count_tokens"]) {
      const res = await post(key, path, { model: "nope/model", messages: [] }, anthropicHeaders);
      expect(res.status).toBeGreaterThanOrEqual(400);
      found.push(problems("anthropic", "ErrorResponse", JSON.parse(res.text)));
    }
    const unauthorised = await call("/v1/messages", { key: "bm_nope", body: {}, headers: anthropicHeaders });
    found.push(problems("anthropic", "ErrorResponse", await unauthorised.json()));
    expect(found.filter(Boolean)).toEqual([]);
  });
});
