// OpenAI-dialect client → Amazon Bedrock (Converse): messages to Converse's content blocks (tool calls as toolUse,
// tool results as toolResult in a user turn), system and developer messages to `system`, tools to
// `toolConfig.tools[].toolSpec`, settings to `inferenceConfig`; the output message, stopReason and usage mapped
// back, and ConverseStream's events (messageStart, contentBlockStart/Delta/Stop, messageStop, metadata — decoded
// from event-stream frames by the provider) turned into OpenAI chunks.
import { badRequest } from "../../../errors";
import { formatSse, type SseEvent } from "../../sse";
import { complete } from "../anthropic";
import { OPENAI_ONLY, refuseParameters, textOf as textIn, untranslatableTo } from "../chat-text";
import { chatChunk, openaiError, openaiUsageOf } from "../chat-to-chat";
import { isNoOp, refuseUnknown } from "../known-fields";
import { StreamTranslatorBase } from "../stream-base";
import type { Json, Translation, TranslationContext } from "../types";
import { converseUsage, filteredMessage, finishReasonOf } from "./wire";

const untranslatable = untranslatableTo("a Bedrock");

/** OpenAI parameters with no Converse equivalent: refused rather than silently dropped. */
const REFUSED = [...OPENAI_ONLY, "seed", "presence_penalty", "frequency_penalty", "response_format"];

const textOf = (content: Json, param: string) => textIn(content, param, untranslatable);

function userBlocks(content: Json, param: string): Json[] {
  if (typeof content === "string") return [{ text: content }];
  return (content as Json[]).map((part, j) => {
    if (part.type === "text") return { text: part.text };
    if (part.type === "image_url") {
      const data = /^data:image\/(png|jpeg|gif|webp);base64,(.*)$/s.exec(part.image_url?.url ?? "");
      if (data) return { image: { format: data[1], source: { bytes: data[2] } } };
      throw untranslatable(`${param}.${j}`, "images must be base64 data URLs (png, jpeg, gif or webp).");
    }
    throw untranslatable(`${param}.${j}`, `content of type '${part.type}' has no Bedrock equivalent.`);
  });
}

function parseJson(text: string, param: string): unknown {
  try {
    return JSON.parse(text || "{}");
  } catch {
    throw badRequest("Tool call arguments must be JSON.", param);
  }
}

/** A tool result's content: a JSON object as a json block, anything else as text. */
function resultContent(text: string): Json[] {
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return [{ json: value }];
  } catch {}
  return [{ text }];
}

function messages(input: Json[]): { system?: Json[]; messages: Json[] } {
  const system: Json[] = [];
  const out: Json[] = [];
  input.forEach((m, i) => {
    const param = `messages.${i}`;
    if (m.role === "system" || m.role === "developer") {
      system.push({ text: textOf(m.content, `${param}.content`) });
    } else if (m.role === "user") {
      out.push({ role: "user", content: userBlocks(m.content, `${param}.content`) });
    } else if (m.role === "assistant") {
      const content: Json[] = [];
      const text = textOf(m.content, `${param}.content`);
      if (text) content.push({ text });
      (m.tool_calls ?? []).forEach((call: Json, j: number) => {
        const input = parseJson(call.function.arguments, `${param}.tool_calls.${j}.function.arguments`);
        content.push({ toolUse: { toolUseId: call.id, name: call.function.name, input } });
      });
      out.push({ role: "assistant", content: content.length ? content : [{ text: " " }] });
    } else if (m.role === "tool") {
      const block = {
        toolResult: {
          toolUseId: m.tool_call_id,
          content: resultContent(textOf(m.content, `${param}.content`)),
        },
      };
      const previous = out.at(-1);
      // The results of one turn's calls go back together, in one user turn.
      if (previous?.role === "user" && previous.content[0]?.toolResult) previous.content.push(block);
      else out.push({ role: "user", content: [block] });
    } else {
      throw untranslatable(`${param}.role`, `role '${m.role}' has no Bedrock equivalent.`);
    }
  });
  return { ...(system.length ? { system } : {}), messages: out };
}

function toolConfig(tools: Json[] | undefined, choice: Json): Json {
  if (!tools?.length) {
    if (choice !== undefined && choice !== null && choice !== "auto" && choice !== "none") {
      throw badRequest("'tool_choice' needs tools.", "tool_choice");
    }
    return undefined;
  }
  const specs = tools.map((tool, i) => {
    if (tool.type !== "function") throw untranslatable(`tools.${i}.type`, "only function tools translate.");
    return {
      toolSpec: {
        name: tool.function.name,
        ...(tool.function.description ? { description: tool.function.description } : {}),
        inputSchema: { json: tool.function.parameters ?? { type: "object", properties: {} } },
      },
    };
  });
  const config: Json = { tools: specs };
  if (choice === "required") config.toolChoice = { any: {} };
  else if (choice?.type === "function") config.toolChoice = { tool: { name: choice.function.name } };
  else if (choice === "none") throw untranslatable("tool_choice", "Converse has no 'none' tool choice.");
  else if (choice !== undefined && choice !== null && choice !== "auto") {
    throw untranslatable("tool_choice", "unknown tool choice.");
  }
  return config;
}

function inferenceConfig(body: Json): Json {
  const config: Json = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) config[key] = value;
  };
  set("maxTokens", body.max_completion_tokens ?? body.max_tokens);
  set("temperature", body.temperature);
  set("topP", body.top_p);
  if (body.stop !== undefined && body.stop !== null) {
    config.stopSequences = Array.isArray(body.stop) ? body.stop : [body.stop];
  }
  return config;
}

function request(body: Json, ctx: TranslationContext): Record<string, unknown> {
  refuseUnknown("chat", body, ctx.model.id);
  refuseParameters(body, REFUSED, untranslatable, "Converse has no such parameter here.");
  if (!isNoOp("n", body.n)) throw untranslatable("n", "one choice is returned.");
  const out: Record<string, unknown> = { model: ctx.model.upstreamModel, ...messages(body.messages) };
  const tools = toolConfig(body.tools, body.tool_choice);
  if (tools) out.toolConfig = tools;
  const config = inferenceConfig(body);
  if (Object.keys(config).length) out.inferenceConfig = config;
  // Read by the provider's route (the URL), never sent in the body.
  if (body.stream) out.stream = true;
  return out;
}

function response(upstream: Json, ctx: TranslationContext) {
  const blocks: Json[] = upstream.output?.message?.content ?? [];
  const text = blocks
    .filter((b) => typeof b.text === "string")
    .map((b) => b.text)
    .join("");
  const calls = blocks
    .filter((b) => b.toolUse)
    .map((b) => ({
      id: b.toolUse.toolUseId,
      type: "function",
      function: { name: b.toolUse.name, arguments: JSON.stringify(b.toolUse.input ?? {}) },
    }));
  const finish = finishReasonOf(upstream.stopReason) ?? "stop";
  const usage = complete(converseUsage(upstream.usage));
  const withheld = finish === "content_filter" ? filteredMessage(upstream.stopReason) : null;
  return {
    usage,
    body: {
      id: `chatcmpl-${crypto.randomUUID()}`,
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
      ...(usage ? { usage: openaiUsageOf(usage) } : {}),
    },
  };
}

/** ConverseStream events → OpenAI chat.completion.chunk events. */
class ConverseToOpenAIStream extends StreamTranslatorBase {
  private readonly id = `chatcmpl-${crypto.randomUUID()}`;
  private readonly created = Math.floor(Date.now() / 1000);
  /** Converse's content block index → the OpenAI tool call index. */
  private readonly calls = new Map<number, number>();
  private stopped = false;

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
    switch (raw.event) {
      case "messageStart":
        return this.chunk({ role: "assistant", content: "" });
      case "contentBlockStart": {
        const use = e.start?.toolUse;
        if (!use) return "";
        const index = this.calls.size;
        this.calls.set(e.contentBlockIndex, index);
        this.chars += use.name.length;
        return this.chunk({
          tool_calls: [
            { index, id: use.toolUseId, type: "function", function: { name: use.name, arguments: "" } },
          ],
        });
      }
      case "contentBlockDelta": {
        const delta = e.delta ?? {};
        if (typeof delta.text === "string") {
          this.chars += delta.text.length;
          return delta.text ? this.chunk({ content: delta.text }) : "";
        }
        if (delta.toolUse && this.calls.has(e.contentBlockIndex)) {
          const args = String(delta.toolUse.input ?? "");
          this.chars += args.length;
          return this.chunk({
            tool_calls: [{ index: this.calls.get(e.contentBlockIndex), function: { arguments: args } }],
          });
        }
        // Reasoning text is not relayed; it counts toward an estimate.
        if (typeof delta.reasoningContent?.text === "string")
          this.chars += delta.reasoningContent.text.length;
        return "";
      }
      case "messageStop": {
        this.stopped = true;
        const finish = finishReasonOf(e.stopReason) ?? "stop";
        const refusal =
          finish === "content_filter" ? this.chunk({ refusal: filteredMessage(e.stopReason) }) : "";
        return refusal + this.chunk({}, finish);
      }
      case "metadata":
        this.reported = converseUsage(e.usage);
        this.done = this.stopped;
        return "";
      case "exception":
        this.done = true;
        return openaiError(e.message || `Provider error (${e.type}).`);
      default:
        return "";
    }
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
            usage: openaiUsageOf(usage),
          })
        : "";
    return `${usageChunk}data: [DONE]\n\n`;
  }

  cut(message: string) {
    return openaiError(message);
  }
}

export const chatToConverse: Translation = {
  request,
  response,
  stream: (ctx) => new ConverseToOpenAIStream(ctx),
};
