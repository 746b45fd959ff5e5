// OpenAI-dialect client → Anthropic provider: system messages to the top-level field, max_tokens defaulted,
// tools and images mapped, stop reasons and usage mapped back, stream events turned into OpenAI chunks.
import { badRequest } from "../../errors";
import { formatSse, type SseEvent } from "../sse";
import { anthropicUsage, complete, finishReasonFor } from "./anthropic";
import { OPENAI_ONLY, refuseParameters, textOf as textIn, untranslatableTo } from "./chat-text";
import { chatChunk, openaiError, openaiUsageOf } from "./chat-to-chat";
import { isNoOp, refuseUnknown } from "./known-fields";
import { StreamTranslatorBase } from "./stream-base";
import { anthropicStructured, ForcedToolUnwrapper, unwrapForcedTool, usesForcedTool } from "./structured";
import type { Json, Translation, TranslationContext } from "./types";

const untranslatable = untranslatableTo("an Anthropic");

/** OpenAI parameters with no Anthropic equivalent: refused rather than silently dropped. */
const REFUSED = [...OPENAI_ONLY, "presence_penalty", "frequency_penalty", "seed"];

const textOf = (content: Json, param: string) => textIn(content, param, untranslatable);

function imageBlock(url: string, param: string): Json {
  const data = /^data:(image\/[a-z+]+);base64,(.*)$/s.exec(url);
  if (data) return { type: "image", source: { type: "base64", media_type: data[1], data: data[2] } };
  if (/^https:\/\//.test(url)) return { type: "image", source: { type: "url", url } };
  throw untranslatable(param, "images must be https URLs or base64 data URLs.");
}

function userBlocks(content: Json, param: string): Json {
  if (typeof content === "string") return content;
  return (content as Json[]).map((part, j) => {
    if (part.type === "text") return { type: "text", text: part.text };
    if (part.type === "image_url") return imageBlock(part.image_url?.url ?? "", `${param}.${j}`);
    throw untranslatable(`${param}.${j}`, `content of type '${part.type}' has no Anthropic equivalent.`);
  });
}

function parseArguments(args: string, param: string): unknown {
  try {
    return JSON.parse(args || "{}");
  } catch {
    throw badRequest("Tool call arguments must be JSON.", param);
  }
}

function messages(input: Json[]): { system?: string; messages: Json[] } {
  const system: string[] = [];
  const out: Json[] = [];
  input.forEach((m, i) => {
    const param = `messages.${i}`;
    if (m.role === "system" || m.role === "developer") {
      system.push(textOf(m.content, `${param}.content`));
    } else if (m.role === "user") {
      out.push({ role: "user", content: userBlocks(m.content, `${param}.content`) });
    } else if (m.role === "assistant") {
      const blocks: Json[] = [];
      const text = textOf(m.content, `${param}.content`);
      if (text) blocks.push({ type: "text", text });
      (m.tool_calls ?? []).forEach((call: Json, j: number) => {
        blocks.push({
          type: "tool_use",
          id: call.id,
          name: call.function.name,
          input: parseArguments(call.function.arguments, `${param}.tool_calls.${j}.function.arguments`),
        });
      });
      out.push({ role: "assistant", content: blocks });
    } else if (m.role === "tool") {
      const result = {
        type: "tool_result",
        tool_use_id: m.tool_call_id,
        content: textOf(m.content, `${param}.content`),
      };
      const previous = out.at(-1);
      // Consecutive tool results answer one assistant turn: Anthropic wants them in one user message.
      if (
        previous?.role === "user" &&
        Array.isArray(previous.content) &&
        previous.content[0]?.type === "tool_result"
      ) {
        previous.content.push(result);
      } else {
        out.push({ role: "user", content: [result] });
      }
    } else {
      throw untranslatable(`${param}.role`, `role '${m.role}' has no Anthropic equivalent.`);
    }
  });
  return { system: system.length ? system.join("\n\n") : undefined, messages: out };
}

function tools(input: Json[]): Json[] {
  return input.map((tool, i) => {
    if (tool.type !== "function") throw untranslatable(`tools.${i}.type`, "only function tools translate.");
    return {
      name: tool.function.name,
      description: tool.function.description,
      input_schema: tool.function.parameters ?? { type: "object", properties: {} },
    };
  });
}

function toolChoice(choice: Json, parallel: unknown): Json {
  const disable = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined || choice === null)
    return parallel === false ? { type: "auto", ...disable } : undefined;
  if (choice === "auto") return { type: "auto", ...disable };
  if (choice === "required") return { type: "any", ...disable };
  if (choice === "none") return { type: "none" };
  if (choice?.type === "function") return { type: "tool", name: choice.function.name, ...disable };
  throw untranslatable("tool_choice", "unknown tool choice.");
}

function request(body: Json, ctx: TranslationContext): Record<string, unknown> {
  refuseUnknown("chat", body, ctx.model.id);
  refuseParameters(body, REFUSED, untranslatable, "Anthropic has no such parameter.");
  if (!isNoOp("n", body.n)) throw untranslatable("n", "Anthropic returns one choice.");
  if (typeof body.temperature === "number" && body.temperature > 1) {
    throw untranslatable("temperature", "Anthropic accepts 0 to 1.");
  }
  const { system, messages: converted } = messages(body.messages);
  const out: Record<string, unknown> = {
    model: ctx.model.upstreamModel,
    messages: converted,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? ctx.defaultMaxTokens,
  };
  if (system !== undefined) out.system = system;
  if (body.stop !== undefined && body.stop !== null) {
    out.stop_sequences = Array.isArray(body.stop) ? body.stop : [body.stop];
  }
  if (body.temperature !== undefined && body.temperature !== null) out.temperature = body.temperature;
  if (body.top_p !== undefined && body.top_p !== null) out.top_p = body.top_p;
  if (body.tools?.length) out.tools = tools(body.tools);
  const choice = toolChoice(body.tool_choice, body.parallel_tool_calls);
  if (choice && (body.tools?.length || choice.type === "none")) out.tool_choice = choice;
  Object.assign(out, anthropicStructured(body, ctx.model, "response_format"));
  if (body.stream) out.stream = true;
  return out;
}

function response(raw: Json, ctx: TranslationContext) {
  const upstream = usesForcedTool(ctx.body, ctx.model) ? unwrapForcedTool(raw) : raw;
  const blocks: Json[] = upstream.content ?? [];
  const text = blocks
    .filter((b) => b.type === "text")
    .map((b) => b.text)
    .join("");
  const toolCalls = blocks
    .filter((b) => b.type === "tool_use")
    .map((b) => ({
      id: b.id,
      type: "function",
      function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
    }));
  const usage = complete(anthropicUsage(upstream.usage));
  return {
    usage,
    body: {
      id: `chatcmpl-${upstream.id ?? crypto.randomUUID()}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: ctx.model.id,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: text || (toolCalls.length ? null : ""),
            ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
            refusal: null,
          },
          finish_reason: finishReasonFor(upstream.stop_reason) ?? "stop",
          logprobs: null,
        },
      ],
      ...(usage ? { usage: openaiUsageOf(usage) } : {}),
    },
  };
}

/** Anthropic stream events → OpenAI chat.completion.chunk events. */
class AnthropicToOpenAIStream extends StreamTranslatorBase {
  private id = `chatcmpl-${crypto.randomUUID()}`;
  private readonly created = Math.floor(Date.now() / 1000);
  private finish: string | null = null;
  /** Anthropic block index → OpenAI tool_calls index. */
  private readonly toolIndex = new Map<number, number>();
  private readonly unwrapper: ForcedToolUnwrapper | undefined;

  constructor(private readonly ctx: TranslationContext) {
    super();
    this.unwrapper = usesForcedTool(ctx.body, ctx.model) ? new ForcedToolUnwrapper() : undefined;
  }

  private chunk(delta: Json, finish: string | null = null): string {
    return chatChunk({ id: this.id, created: this.created, model: this.ctx.model.id }, delta, finish);
  }

  event(raw: SseEvent): string {
    const e = this.readAnthropicEvent(this.unwrapper ? this.unwrapper.event(raw) : raw);
    if (!e) return "";
    switch (e.type) {
      case "message_start":
        this.id = `chatcmpl-${e.message?.id ?? crypto.randomUUID()}`;
        return this.chunk({ role: "assistant", content: "" });
      case "content_block_start":
        if (e.content_block?.type === "tool_use") {
          const index = this.toolIndex.size;
          this.toolIndex.set(e.index, index);
          return this.chunk({
            tool_calls: [
              {
                index,
                id: e.content_block.id,
                type: "function",
                function: { name: e.content_block.name, arguments: "" },
              },
            ],
          });
        }
        return "";
      case "content_block_delta":
        if (e.delta?.type === "text_delta") return this.chunk({ content: e.delta.text });
        if (e.delta?.type === "input_json_delta") {
          return this.chunk({
            tool_calls: [
              { index: this.toolIndex.get(e.index) ?? 0, function: { arguments: e.delta.partial_json } },
            ],
          });
        }
        return "";
      case "message_delta": {
        this.finish = finishReasonFor(e.delta?.stop_reason);
        return this.chunk({}, this.finish ?? "stop");
      }
      case "message_stop": {
        this.done = true;
        const usage = complete(this.reported);
        const usageChunk =
          this.ctx.includeUsage && usage
            ? formatSse({
                id: this.id,
                object: "chat.completion.chunk",
                created: this.created,
                model: this.ctx.model.id,
                choices: [],
                usage: openaiUsageOf(usage),
              })
            : "";
        return `${usageChunk}data: [DONE]\n\n`;
      }
      case "error":
        return formatSse({
          error: {
            message: e.error?.message ?? "Provider error.",
            type: "api_error",
            code: "upstream_error",
            param: null,
          },
        });
      default:
        return "";
    }
  }
  cut(message: string) {
    return openaiError(message);
  }
}

export const chatToMessages: Translation = {
  request,
  response,
  stream: (ctx) => new AnthropicToOpenAIStream(ctx),
};
