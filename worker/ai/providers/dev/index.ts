// The built-in development provider: answers in-process, so a fresh clone works with no provider key.
// Everything it says is labelled as coming from it. It honours what clients build on — a JSON response_format
// (answered with JSON that fits the schema) and tools (called with arguments that fit their parameters) — so
// structured output, forced tools and agent tool loops work locally too.

import { estimateTokens, textLength } from "../../tokens";
import { base64Floats } from "../../translate/base64-floats";
import type { Operation, Provider } from "../types";
import { sampleJson } from "./sample-json";

const LABEL = "[dev provider]";

export const dev: Provider = {
  id: "dev",
  dialect: "openai",
  baseUrl: () => "local://dev",
  connection: () => ({ baseUrl: "local://dev", apiKey: "" }),
  headers: () => ({}),
  paths: { chat: "/chat/completions", embeddings: "/embeddings" },
  local: async (operation: Operation, body: Record<string, unknown>) =>
    operation === "embeddings" ? embeddings(body) : chat(body),
};

type Message = { role?: string; content?: unknown };

function lastUserText(messages: Message[]): string {
  const last = [...messages].reverse().find((m) => m.role === "user");
  if (!last) return "";
  if (typeof last.content === "string") return last.content;
  if (Array.isArray(last.content)) {
    return last.content
      .map((p: { type?: string; text?: string }) => (p.type === "text" ? (p.text ?? "") : ""))
      .join(" ");
  }
  return "";
}

type Tool = { type?: string; function?: { name?: string; parameters?: Record<string, unknown> } };
type ToolCall = { id: string; type: "function"; function: { name: string; arguments: string } };

/**
 * The tool the dev model calls, if any: with tools offered and tool_choice not "none", it calls the named tool
 * (a forced choice) or the first one — once per turn: after a tool's result it answers. So a tool loop, forced
 * tools and structured output through a forced tool all work locally with no provider key.
 */
function toolCall(body: Record<string, unknown>, messages: Message[]): ToolCall | undefined {
  const tools = ((body.tools as Tool[] | undefined) ?? []).filter(
    (t) => t.type === "function" && t.function?.name,
  );
  const choice = body.tool_choice as string | { type?: string; function?: { name?: string } } | undefined;
  if (!tools.length || choice === "none") return undefined;
  const forced = typeof choice === "object" && choice !== null ? choice.function?.name : undefined;
  if (!forced && choice !== "required" && messages.at(-1)?.role === "tool") return undefined;
  const tool = tools.find((t) => t.function!.name === forced) ?? tools[0]!;
  return {
    id: `call_dev_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`,
    type: "function",
    function: {
      name: tool.function!.name!,
      arguments: JSON.stringify(sampleJson(tool.function!.parameters)),
    },
  };
}

/** The answer's text: JSON that fits `response_format` when one is asked for, else the labelled echo. */
function answerText(body: Record<string, unknown>, messages: Message[]): { words: string[]; json: boolean } {
  const format = body.response_format as
    | { type?: string; json_schema?: { schema?: Record<string, unknown> } }
    | undefined;
  if (format?.type === "json_schema")
    return { words: [JSON.stringify(sampleJson(format.json_schema?.schema))], json: true };
  if (format?.type === "json_object") {
    return { words: [JSON.stringify({ dev_provider: true, you_said: lastUserText(messages) })], json: true };
  }
  return { words: `${LABEL} You said: ${lastUserText(messages)}`.split(/(?<= )/), json: false };
}

function chat(body: Record<string, unknown>): Response {
  const messages = (body.messages as Message[]) ?? [];
  const call = toolCall(body, messages);
  const { words, json } = call ? { words: [], json: false } : answerText(body, messages);
  const maxTokens = Number(body.max_tokens ?? body.max_completion_tokens ?? Number.POSITIVE_INFINITY);
  // JSON is one word: cutting it would answer invalid JSON.
  const kept = json ? words : words.slice(0, Math.max(1, Math.min(words.length, maxTokens)));
  const finish = call ? "tool_calls" : kept.length < words.length ? "length" : "stop";
  const completionTokens = call ? estimateTokens(call.function.arguments.length) : kept.length;
  const usage = {
    prompt_tokens: estimateTokens(textLength(messages)),
    completion_tokens: completionTokens,
    total_tokens: estimateTokens(textLength(messages)) + completionTokens,
  };
  const id = `chatcmpl-dev-${crypto.randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const model = String(body.model);
  if (!body.stream) {
    return Response.json({
      id,
      object: "chat.completion",
      created,
      model,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: call ? null : kept.join(""),
            refusal: null,
            ...(call ? { tool_calls: [call] } : {}),
          },
          finish_reason: finish,
          logprobs: null,
        },
      ],
      usage,
    });
  }
  const base = { id, object: "chat.completion.chunk", created, model };
  const deltas = call
    ? [
        {
          role: "assistant",
          content: null,
          tool_calls: [{ index: 0, ...call, function: { ...call.function, arguments: "" } }],
        },
        { tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] },
      ]
    : [{ role: "assistant", content: "" }, ...kept.map((w) => ({ content: w }))];
  const events = [
    ...deltas.map((delta) => ({
      ...base,
      choices: [{ index: 0, delta, finish_reason: null, logprobs: null }],
    })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: finish, logprobs: null }] },
    { ...base, choices: [], usage },
  ];
  const text = `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("")}data: [DONE]\n\n`;
  return new Response(text, { headers: { "content-type": "text/event-stream" } });
}

/** A deterministic 8-dimensional vector from the input's characters: enough to wire a client against. */
function vector(text: string): number[] {
  const v = new Array<number>(8).fill(0);
  for (let i = 0; i < text.length; i++) v[i % 8]! += text.charCodeAt(i) / 1000;
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function embeddings(body: Record<string, unknown>): Response {
  const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input)];
  const tokens = estimateTokens(textLength(inputs));
  return Response.json({
    object: "list",
    data: inputs.map((text, index) => ({
      object: "embedding",
      index,
      embedding: body.encoding_format === "base64" ? base64Floats(vector(text)) : vector(text),
    })),
    model: String(body.model),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}
