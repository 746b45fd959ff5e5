// Anthropic-dialect client → OpenAI provider: the system field becomes a system message, content blocks become
// parts, tool_use/tool_result become tool calls and tool messages; the answer and its stream go back as
// Anthropic messages and events.
import { badRequest } from "../../errors";
import { formatSse, type SseEvent } from "../sse";
import { anthropicUsageOf, stopReasonFor } from "./anthropic";
import { openaiChunkChars, openaiUsage } from "./chat-to-chat";
import { isNoOp, refuseUnknown } from "./known-fields";
import { anthropicError } from "./messages-to-messages";
import { StreamTranslatorBase } from "./stream-base";
import { openaiResponseFormat } from "./structured";
import type { Json, Translation, TranslationContext } from "./types";

/** The stop sequence an OpenAI-compatible server says it matched (vLLM's `stop_reason`, SGLang's
 * `matched_stop`); OpenAI itself does not say, and its stops are reported as end_turn. */
function matchedStop(choice: Json, body: Json): string | null {
  const said = typeof choice.stop_reason === "string" ? choice.stop_reason : choice.matched_stop;
  return typeof said === "string" && (body.stop_sequences ?? []).includes(said) ? said : null;
}

function anthropicStop(finish: string | null, sequence: string | null) {
  if (sequence !== null && finish === "stop")
    return { stop_reason: "stop_sequence", stop_sequence: sequence };
  return { stop_reason: stopReasonFor(finish) ?? "end_turn", stop_sequence: null };
}

const untranslatable = (param: string, why: string) =>
  badRequest(`'${param}' cannot be sent to an OpenAI model: ${why}`, param, "untranslatable_parameter");

const REFUSED = ["top_k", "thinking", "container", "mcp_servers", "service_tier"];

function blockText(block: Json, param: string): string {
  if (block.type !== "text") throw untranslatable(param, `a '${block.type}' block is not allowed here.`);
  return block.text;
}

function systemText(system: Json): string | undefined {
  if (system === undefined) return undefined;
  if (typeof system === "string") return system;
  return (system as Json[]).map((b, i) => blockText(b, `system.${i}`)).join("\n\n");
}

function imagePart(block: Json, param: string): Json {
  const source = block.source ?? {};
  if (source.type === "base64") {
    return { type: "image_url", image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  }
  if (source.type === "url") return { type: "image_url", image_url: { url: source.url } };
  throw untranslatable(param, "only base64 and URL images translate.");
}

function toolResultText(content: Json, param: string): string {
  if (typeof content === "string") return content;
  if (content === undefined) return "";
  return (content as Json[]).map((b, i) => blockText(b, `${param}.${i}`)).join("\n");
}

function convertMessage(m: Json, i: number): Json[] {
  const param = `messages.${i}.content`;
  if (typeof m.content === "string") return [{ role: m.role, content: m.content }];
  const blocks = m.content as Json[];
  if (m.role === "assistant") {
    const text: string[] = [];
    const toolCalls: Json[] = [];
    blocks.forEach((b, j) => {
      if (b.type === "text") text.push(b.text);
      else if (b.type === "tool_use") {
        toolCalls.push({
          id: b.id,
          type: "function",
          function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
        });
      } else throw untranslatable(`${param}.${j}`, `a '${b.type}' block has no OpenAI equivalent.`);
    });
    return [
      {
        role: "assistant",
        content: text.length ? text.join("") : null,
        ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
      },
    ];
  }
  // A user turn: tool results become tool messages (first, answering the previous turn), the rest one user message.
  const tools: Json[] = [];
  const parts: Json[] = [];
  blocks.forEach((b, j) => {
    if (b.type === "tool_result") {
      tools.push({
        role: "tool",
        tool_call_id: b.tool_use_id,
        content: toolResultText(b.content, `${param}.${j}.content`),
      });
    } else if (b.type === "text") parts.push({ type: "text", text: b.text });
    else if (b.type === "image") parts.push(imagePart(b, `${param}.${j}`));
    else throw untranslatable(`${param}.${j}`, `a '${b.type}' block has no OpenAI equivalent.`);
  });
  return parts.length ? [...tools, { role: "user", content: parts }] : tools;
}

function toolChoice(choice: Json): Json {
  if (!choice) return undefined;
  if (choice.type === "auto") return "auto";
  if (choice.type === "any") return "required";
  if (choice.type === "none") return "none";
  if (choice.type === "tool") return { type: "function", function: { name: choice.name } };
  throw untranslatable("tool_choice", "unknown tool choice.");
}

function request(body: Json, ctx: TranslationContext): Record<string, unknown> {
  refuseUnknown("messages", body, ctx.model.id);
  for (const param of REFUSED) {
    if (!isNoOp(param, body[param])) throw untranslatable(param, "OpenAI has no such parameter.");
  }
  const system = systemText(body.system);
  const out: Record<string, unknown> = {
    model: ctx.model.upstreamModel,
    messages: [
      ...(system !== undefined ? [{ role: "system", content: system }] : []),
      ...(body.messages as Json[]).flatMap(convertMessage),
    ],
    max_tokens: body.max_tokens,
  };
  if (body.stop_sequences?.length) out.stop = body.stop_sequences;
  const format = openaiResponseFormat(body);
  if (format) out.response_format = format;
  if (body.temperature !== undefined) out.temperature = body.temperature;
  if (body.top_p !== undefined) out.top_p = body.top_p;
  if (body.tools?.length) {
    out.tools = (body.tools as Json[]).map((t, i) => {
      if (t.type && t.type !== "custom")
        throw untranslatable(`tools.${i}`, `server tool '${t.type}' does not translate.`);
      return {
        type: "function",
        function: { name: t.name, description: t.description, parameters: t.input_schema },
      };
    });
  }
  const choice = toolChoice(body.tool_choice);
  if (choice !== undefined) out.tool_choice = choice;
  if (body.tool_choice?.disable_parallel_tool_use && body.tools?.length) out.parallel_tool_calls = false;
  if (body.stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return out;
}

function response(upstream: Json, ctx: TranslationContext) {
  const choice = upstream.choices?.[0] ?? {};
  const message = choice.message ?? {};
  const content: Json[] = [];
  if (message.content) content.push({ type: "text", text: message.content });
  for (const call of message.tool_calls ?? []) {
    let input: unknown = {};
    try {
      input = JSON.parse(call.function?.arguments || "{}");
    } catch {
      input = {};
    }
    content.push({ type: "tool_use", id: call.id, name: call.function?.name, input });
  }
  const usage = openaiUsage(upstream.usage);
  return {
    usage,
    body: {
      id: `msg_${upstream.id ?? crypto.randomUUID()}`,
      type: "message",
      role: "assistant",
      model: ctx.model.id,
      content,
      ...anthropicStop(choice.finish_reason ?? null, matchedStop(choice, ctx.body)),
      usage: anthropicUsageOf(usage),
    },
  };
}

/** OpenAI chunks → Anthropic message events (message_start, content blocks, message_delta, message_stop). */
class OpenAIToAnthropicStream extends StreamTranslatorBase {
  private started = false;
  private finish: string | null = null;
  private stopSequence: string | null = null;
  /** The open content block: its Anthropic index and kind; OpenAI tool index → Anthropic block index. */
  private open: { index: number; kind: "text" | "tool" } | undefined;
  private nextIndex = 0;
  private readonly toolBlocks = new Map<number, number>();

  constructor(private readonly ctx: TranslationContext) {
    super();
  }

  private start(id: string): string {
    this.started = true;
    return formatSse(
      {
        type: "message_start",
        message: {
          id: `msg_${id}`,
          type: "message",
          role: "assistant",
          model: this.ctx.model.id,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          // Our estimate until the provider's count arrives (corrected in message_delta).
          usage: anthropicUsageOf({ inputTokens: this.ctx.estimatedInput, outputTokens: 0 }),
        },
      },
      "message_start",
    );
  }

  private close(): string {
    if (!this.open) return "";
    const text = formatSse({ type: "content_block_stop", index: this.open.index }, "content_block_stop");
    this.open = undefined;
    return text;
  }

  private openBlock(kind: "text" | "tool", block: Json): string {
    const closing = this.close();
    this.open = { index: this.nextIndex++, kind };
    return (
      closing +
      formatSse(
        { type: "content_block_start", index: this.open.index, content_block: block },
        "content_block_start",
      )
    );
  }

  private delta(delta: Json, index = this.open!.index): string {
    return formatSse({ type: "content_block_delta", index, delta }, "content_block_delta");
  }

  event(event: SseEvent): string {
    if (event.data === "[DONE]") return this.finishMessage();
    let chunk: Json;
    try {
      chunk = JSON.parse(event.data);
    } catch {
      return "";
    }
    if (chunk.error) return anthropicError(chunk.error.message ?? "Provider error.");
    this.chars += openaiChunkChars(chunk);
    let out = this.started ? "" : this.start(chunk.id ?? crypto.randomUUID());
    if (chunk.usage) this.reported = openaiUsage(chunk.usage) ?? this.reported;
    const choice = chunk.choices?.[0];
    if (!choice) return out;
    const delta = choice.delta ?? {};
    if (typeof delta.content === "string" && delta.content) {
      if (this.open?.kind !== "text") out += this.openBlock("text", { type: "text", text: "" });
      out += this.delta({ type: "text_delta", text: delta.content });
    }
    for (const call of delta.tool_calls ?? []) {
      if (call.id || !this.toolBlocks.has(call.index ?? 0)) {
        out += this.openBlock("tool", {
          type: "tool_use",
          id: call.id,
          name: call.function?.name,
          input: {},
        });
        this.toolBlocks.set(call.index ?? 0, this.open!.index);
      }
      // A call's arguments go to its own block, also when another call's block opened since (interleaved calls).
      if (call.function?.arguments) {
        const index = this.toolBlocks.get(call.index ?? 0);
        out += this.delta({ type: "input_json_delta", partial_json: call.function.arguments }, index);
      }
    }
    if (choice.finish_reason) {
      this.finish = choice.finish_reason;
      this.stopSequence = matchedStop(choice, this.ctx.body);
    }
    return out;
  }

  private finishMessage(): string {
    this.done = true;
    return (
      (this.started ? "" : this.start(crypto.randomUUID())) +
      this.close() +
      formatSse(
        {
          type: "message_delta",
          delta: anthropicStop(this.finish, this.stopSequence),
          // The final counts, as Anthropic's API sends them: the provider's, else our input estimate.
          usage: anthropicUsageOf({
            ...this.reported,
            inputTokens: this.reported?.inputTokens ?? this.ctx.estimatedInput,
            outputTokens: this.reported?.outputTokens ?? 0,
          }),
        },
        "message_delta",
      ) +
      formatSse({ type: "message_stop" }, "message_stop")
    );
  }

  cut(message: string) {
    return anthropicError(message);
  }
}

export const messagesToChat: Translation = {
  request,
  response,
  stream: (ctx) => new OpenAIToAnthropicStream(ctx),
};
