// OpenAI-dialect client → Gemini provider: messages to `contents` (assistant → "model", tool results as
// functionResponse parts), system to `systemInstruction`, tools to functionDeclarations, settings to
// generationConfig; candidates, finish reasons, safety blocks and usageMetadata mapped back, stream chunks
// (`streamGenerateContent?alt=sse`, one GenerateContentResponse per event) turned into OpenAI chunks.
import { badRequest } from "../../../errors";
import { formatSse, type SseEvent } from "../../sse";
import { complete } from "../anthropic";
import { OPENAI_ONLY, refuseParameters, textOf as textIn, untranslatableTo } from "../chat-text";
import { chatChunk, openaiError, openaiUsageOf } from "../chat-to-chat";
import { isNoOp, refuseUnknown } from "../known-fields";
import { StreamTranslatorBase } from "../stream-base";
import type { Json, Translation, TranslationContext, Usage } from "../types";
import {
  answerParts,
  blockedMessage,
  finishReasonOf,
  geminiUsage,
  promptBlock,
  reasoningTokens,
} from "./wire";

const untranslatable = untranslatableTo("a Gemini");

/** OpenAI parameters with no Gemini equivalent here: refused rather than silently dropped. */
const REFUSED = OPENAI_ONLY;

const textOf = (content: Json, param: string) => textIn(content, param, untranslatable);

function userParts(content: Json, param: string): Json[] {
  if (typeof content === "string") return [{ text: content }];
  return (content as Json[]).map((part, j) => {
    if (part.type === "text") return { text: part.text };
    if (part.type === "image_url") {
      const data = /^data:(image\/[a-z+]+);base64,(.*)$/s.exec(part.image_url?.url ?? "");
      if (data) return { inlineData: { mimeType: data[1], data: data[2] } };
      throw untranslatable(`${param}.${j}`, "images must be base64 data URLs.");
    }
    throw untranslatable(`${param}.${j}`, `content of type '${part.type}' has no Gemini equivalent.`);
  });
}

function parseJson(text: string, param: string): unknown {
  try {
    return JSON.parse(text || "{}");
  } catch {
    throw badRequest("Tool call arguments must be JSON.", param);
  }
}

/** A tool result as Gemini's functionResponse.response: a JSON object as is, anything else under `result`. */
function toolResponse(text: string): Json {
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
    return { result: value };
  } catch {
    return { result: text };
  }
}

function contents(input: Json[]): { systemInstruction?: Json; contents: Json[] } {
  const system: string[] = [];
  const out: Json[] = [];
  /** Tool call id → function name: Gemini answers a call by the function's name. */
  const names = new Map<string, string>();
  input.forEach((m, i) => {
    const param = `messages.${i}`;
    if (m.role === "system" || m.role === "developer") {
      system.push(textOf(m.content, `${param}.content`));
    } else if (m.role === "user") {
      out.push({ role: "user", parts: userParts(m.content, `${param}.content`) });
    } else if (m.role === "assistant") {
      const parts: Json[] = [];
      const text = textOf(m.content, `${param}.content`);
      if (text) parts.push({ text });
      (m.tool_calls ?? []).forEach((call: Json, j: number) => {
        names.set(call.id, call.function.name);
        const args = parseJson(call.function.arguments, `${param}.tool_calls.${j}.function.arguments`);
        parts.push({ functionCall: { name: call.function.name, args } });
      });
      out.push({ role: "model", parts: parts.length ? parts : [{ text: "" }] });
    } else if (m.role === "tool") {
      const name = names.get(m.tool_call_id);
      if (!name)
        throw badRequest("A tool message must answer an earlier tool call.", `${param}.tool_call_id`);
      const part = {
        functionResponse: { name, response: toolResponse(textOf(m.content, `${param}.content`)) },
      };
      const previous = out.at(-1);
      // The results of one turn's calls go back together, in one user turn.
      if (previous?.role === "user" && previous.parts[0]?.functionResponse) previous.parts.push(part);
      else out.push({ role: "user", parts: [part] });
    } else {
      throw untranslatable(`${param}.role`, `role '${m.role}' has no Gemini equivalent.`);
    }
  });
  return {
    ...(system.length ? { systemInstruction: { parts: [{ text: system.join("\n\n") }] } } : {}),
    contents: out,
  };
}

function tools(input: Json[]): Json[] {
  const declarations = input.map((tool, i) => {
    if (tool.type !== "function") throw untranslatable(`tools.${i}.type`, "only function tools translate.");
    return {
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      parametersJsonSchema: tool.function.parameters ?? { type: "object", properties: {} },
    };
  });
  return [{ functionDeclarations: declarations }];
}

function toolConfig(choice: Json): Json {
  if (choice === undefined || choice === null || choice === "auto") return undefined;
  if (choice === "required") return { functionCallingConfig: { mode: "ANY" } };
  if (choice === "none") return { functionCallingConfig: { mode: "NONE" } };
  if (choice?.type === "function") {
    return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.function.name] } };
  }
  throw untranslatable("tool_choice", "unknown tool choice.");
}

function generationConfig(body: Json): Json {
  const config: Json = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) config[key] = value;
  };
  set("temperature", body.temperature);
  set("topP", body.top_p);
  set("maxOutputTokens", body.max_completion_tokens ?? body.max_tokens);
  set("seed", body.seed);
  if (!isNoOp("presence_penalty", body.presence_penalty)) set("presencePenalty", body.presence_penalty);
  if (!isNoOp("frequency_penalty", body.frequency_penalty)) set("frequencyPenalty", body.frequency_penalty);
  if (body.stop !== undefined && body.stop !== null) {
    config.stopSequences = Array.isArray(body.stop) ? body.stop : [body.stop];
  }
  const format = body.response_format;
  if (format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    config.responseJsonSchema = format.json_schema?.schema ?? {};
  } else if (format?.type === "json_object") {
    config.responseMimeType = "application/json";
  }
  return config;
}

function request(body: Json, ctx: TranslationContext): Record<string, unknown> {
  refuseUnknown("chat", body, ctx.model.id);
  refuseParameters(body, REFUSED, untranslatable, "Gemini has no such parameter here.");
  if (!isNoOp("n", body.n)) throw untranslatable("n", "one choice is returned.");
  const out: Record<string, unknown> = { model: ctx.model.upstreamModel, ...contents(body.messages) };
  if (body.tools?.length) out.tools = tools(body.tools);
  const choice = toolConfig(body.tool_choice);
  if (choice) out.toolConfig = choice;
  const config = generationConfig(body);
  if (Object.keys(config).length) out.generationConfig = config;
  // Read by the provider's route (the URL), never sent in the body.
  if (body.stream) out.stream = true;
  return out;
}

/** OpenAI's usage, with Gemini's thinking tokens named as reasoning. */
function usageOf(usage: Usage, metadata: Json) {
  return {
    ...openaiUsageOf(usage),
    completion_tokens_details: { reasoning_tokens: reasoningTokens(metadata) },
  };
}

function toolCallsOf(parts: Json[], first = 0): Json[] {
  return parts
    .filter((p) => p.functionCall)
    .map((p, i) => ({
      id: p.functionCall.id ?? `call_${crypto.randomUUID().replaceAll("-", "")}`,
      type: "function",
      function: { name: p.functionCall.name, arguments: JSON.stringify(p.functionCall.args ?? {}) },
      index: first + i,
    }));
}

function response(upstream: Json, ctx: TranslationContext) {
  const candidate = upstream.candidates?.[0];
  const blocked = promptBlock(upstream);
  const parts = answerParts(candidate);
  const text = parts
    .filter((p) => typeof p.text === "string")
    .map((p) => p.text)
    .join("");
  const calls = toolCallsOf(parts).map(({ index: _index, ...call }) => call);
  const finish = blocked
    ? "content_filter"
    : (finishReasonOf(candidate?.finishReason, calls.length > 0) ?? "stop");
  const usage = complete(geminiUsage(upstream.usageMetadata));
  const withheld = finish === "content_filter" ? blockedMessage(blocked ?? candidate?.finishReason) : null;
  return {
    usage,
    body: {
      id: `chatcmpl-${upstream.responseId ?? crypto.randomUUID()}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: ctx.model.id,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: text || (calls.length || withheld ? null : ""),
            ...(calls.length ? { tool_calls: calls } : {}),
            refusal: withheld,
          },
          finish_reason: finish,
          logprobs: null,
        },
      ],
      ...(usage ? { usage: usageOf(usage, upstream.usageMetadata) } : {}),
    },
  };
}

/** Gemini stream events (each a GenerateContentResponse) → OpenAI chat.completion.chunk events. */
class GeminiToOpenAIStream extends StreamTranslatorBase {
  private id = `chatcmpl-${crypto.randomUUID()}`;
  private readonly created = Math.floor(Date.now() / 1000);
  private started = false;
  private toolCalls = 0;
  private metadata: Json;

  constructor(private readonly ctx: TranslationContext) {
    super();
  }

  private chunk(delta: Json, finish: string | null = null): string {
    return chatChunk({ id: this.id, created: this.created, model: this.ctx.model.id }, delta, finish);
  }

  event(raw: SseEvent): string {
    let e: Json;
    try {
      e = JSON.parse(raw.data);
    } catch {
      return "";
    }
    let out = "";
    if (!this.started) {
      this.started = true;
      if (e.responseId) this.id = `chatcmpl-${e.responseId}`;
      out += this.chunk({ role: "assistant", content: "" });
    }
    if (e.usageMetadata) {
      this.metadata = e.usageMetadata;
      this.reported = geminiUsage(e.usageMetadata);
    }
    if (e.error) {
      this.done = true;
      return out + openaiError(e.error.message ?? "Provider error.");
    }
    const candidate = e.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      if (typeof part.text === "string") this.chars += part.text.length;
      if (part.thought) continue;
      if (typeof part.text === "string" && part.text) out += this.chunk({ content: part.text });
      if (part.functionCall) {
        const [call] = toolCallsOf([part], this.toolCalls++);
        this.chars += call.function.arguments.length;
        out += this.chunk({ tool_calls: [call] });
      }
    }
    const blocked = promptBlock(e);
    const finish = blocked ? "content_filter" : finishReasonOf(candidate?.finishReason, this.toolCalls > 0);
    if (finish) {
      this.done = true;
      if (finish === "content_filter") {
        out += this.chunk({ refusal: blockedMessage(blocked ?? candidate.finishReason) });
      }
      out += this.chunk({}, finish);
    }
    return out;
  }

  override end(): string {
    const usage = complete(this.reported);
    const usageChunk =
      this.ctx.includeUsage && usage
        ? formatSse({
            id: this.id,
            object: "chat.completion.chunk",
            created: this.created,
            model: this.ctx.model.id,
            choices: [],
            usage: usageOf(usage, this.metadata),
          })
        : "";
    return `${usageChunk}data: [DONE]\n\n`;
  }

  cut(message: string) {
    return openaiError(message);
  }
}

export const chatToGemini: Translation = {
  request,
  response,
  stream: (ctx) => new GeminiToOpenAIStream(ctx),
};
