// The built-in development provider: answers in-process, so a fresh clone works with no provider key.
// Everything it says is labelled as coming from it.
import { estimateTokens, textLength } from "../../tokens";
import type { Operation, Provider } from "../types";

const LABEL = "[dev provider]";

export const dev: Provider = {
  id: "dev",
  dialect: "openai",
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

function chat(body: Record<string, unknown>): Response {
  const messages = (body.messages as Message[]) ?? [];
  const reply = `${LABEL} You said: ${lastUserText(messages)}`;
  const words = reply.split(/(?<= )/);
  const maxTokens = Number(body.max_tokens ?? body.max_completion_tokens ?? Number.POSITIVE_INFINITY);
  const kept = words.slice(0, Math.max(1, Math.min(words.length, maxTokens)));
  const finish = kept.length < words.length ? "length" : "stop";
  const usage = {
    prompt_tokens: estimateTokens(textLength(messages)),
    completion_tokens: kept.length,
    total_tokens: estimateTokens(textLength(messages)) + kept.length,
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
          message: { role: "assistant", content: kept.join("") },
          finish_reason: finish,
          logprobs: null,
        },
      ],
      usage,
    });
  }
  const base = { id, object: "chat.completion.chunk", created, model };
  const events = [
    { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] },
    ...kept.map((w) => ({ ...base, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }] },
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

/** OpenAI's base64 encoding: the little-endian float32 bytes of the vector. */
function base64Floats(vector: number[]): string {
  const bytes = new Uint8Array(new Float32Array(vector).buffer);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
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
