// Responses API client → Anthropic Messages provider: input items become messages (function_call → tool_use,
// function_call_output → tool_result), instructions the system field, text.format structured output; the answer
// and its stream go back as a Responses object and the documented typed events.
import { badRequest } from "../../errors";
import { formatSse, type SseEvent } from "../sse";
import { anthropicUsage, complete } from "./anthropic";
import { isNoOp, refuseUnknown } from "./known-fields";
import { responseObject, responsesError } from "./responses-shape";
import { StreamTranslatorBase } from "./stream-base";
import { anthropicStructured, ForcedToolUnwrapper, unwrapForcedTool, usesForcedTool } from "./structured";
import type { Json, Translation, TranslationContext } from "./types";

const untranslatable = (param: string, why: string) =>
  badRequest(`'${param}' cannot be sent to an Anthropic model: ${why}`, param, "untranslatable_parameter");

function textOf(content: Json, param: string): string {
  if (typeof content === "string") return content;
  return (content as Json[])
    .map((part, j) => {
      if (part.type !== "input_text" && part.type !== "output_text" && part.type !== "text") {
        throw untranslatable(`${param}.${j}`, "only text is allowed here.");
      }
      return part.text;
    })
    .join("\n");
}

function imageBlock(url: string, param: string): Json {
  const data = /^data:(image\/[a-z+]+);base64,(.*)$/s.exec(url);
  if (data) return { type: "image", source: { type: "base64", media_type: data[1], data: data[2] } };
  if (/^https:\/\//.test(url)) return { type: "image", source: { type: "url", url } };
  throw untranslatable(param, "images must be https URLs or base64 data URLs.");
}

function userBlocks(content: Json, param: string): Json[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return (content as Json[]).map((part, j) => {
    if (part.type === "input_text") return { type: "text", text: part.text };
    if (part.type === "input_image") return imageBlock(part.image_url ?? "", `${param}.${j}`);
    throw untranslatable(`${param}.${j}`, `content of type '${part.type}' has no Anthropic equivalent.`);
  });
}

function parseArguments(args: unknown, param: string): unknown {
  try {
    return JSON.parse(typeof args === "string" && args ? args : "{}");
  } catch {
    throw badRequest("Function call arguments must be JSON.", param);
  }
}

function outputText(output: Json, param: string): string {
  if (typeof output === "string") return output;
  if (Array.isArray(output)) return textOf(output, param);
  throw badRequest("A function call output must be a string or text parts.", param);
}

/** Input items → system text and Anthropic messages (consecutive blocks of one role share a message). */
function conversation(body: Json): { system: string[]; messages: Json[] } {
  const system: string[] = body.instructions ? [body.instructions] : [];
  const messages: Json[] = [];
  const push = (role: "user" | "assistant", blocks: Json[]) => {
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  if (typeof body.input === "string") {
    push("user", [{ type: "text", text: body.input }]);
    return { system, messages };
  }
  (body.input as Json[]).forEach((item, i) => {
    const param = `input.${i}`;
    const type = item.type ?? "message";
    if (type === "message") {
      if (item.role === "system" || item.role === "developer") {
        system.push(textOf(item.content, `${param}.content`));
      } else if (item.role === "user") {
        push("user", userBlocks(item.content, `${param}.content`));
      } else if (item.role === "assistant") {
        const text = textOf(item.content, `${param}.content`);
        if (text) push("assistant", [{ type: "text", text }]);
      } else {
        throw badRequest(`A message needs a role.`, `${param}.role`);
      }
    } else if (type === "function_call") {
      push("assistant", [
        {
          type: "tool_use",
          id: item.call_id,
          name: item.name,
          input: parseArguments(item.arguments, `${param}.arguments`),
        },
      ]);
    } else if (type === "function_call_output") {
      push("user", [
        {
          type: "tool_result",
          tool_use_id: item.call_id,
          content: outputText(item.output, `${param}.output`),
        },
      ]);
    } else if (type === "item_reference") {
      throw badRequest(
        "Item references need stored responses, and this gateway stores none: send the items themselves.",
        `${param}.type`,
        "stateless_gateway",
      );
    } else {
      throw untranslatable(`${param}.type`, `input items of type '${type}' do not translate.`);
    }
  });
  return { system, messages };
}

function tools(input: Json[]): Json[] {
  return input.map((tool, i) => {
    if (tool.type !== "function") throw untranslatable(`tools.${i}.type`, "only function tools translate.");
    return {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      input_schema: tool.parameters ?? { type: "object", properties: {} },
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
  if (choice.type === "function") return { type: "tool", name: choice.name, ...disable };
  throw untranslatable("tool_choice", "unknown tool choice.");
}

function request(body: Json, ctx: TranslationContext): Record<string, unknown> {
  // Before the unknown-field check, which would refuse `reasoning` too but without saying what to do instead.
  if (!isNoOp("reasoning", body.reasoning))
    throw untranslatable("reasoning", "use an OpenAI model for reasoning settings.");
  refuseUnknown("responses", body, ctx.model.id);
  if (typeof body.temperature === "number" && body.temperature > 1) {
    throw untranslatable("temperature", "Anthropic accepts 0 to 1.");
  }
  const { system, messages } = conversation(body);
  const out: Record<string, unknown> = {
    model: ctx.model.upstreamModel,
    messages,
    max_tokens: body.max_output_tokens ?? ctx.defaultMaxTokens,
  };
  if (system.length) out.system = system.join("\n\n");
  if (body.temperature !== undefined && body.temperature !== null) out.temperature = body.temperature;
  if (body.top_p !== undefined && body.top_p !== null) out.top_p = body.top_p;
  if (body.tools?.length) out.tools = tools(body.tools);
  const choice = toolChoice(body.tool_choice, body.parallel_tool_calls);
  if (choice && (body.tools?.length || choice.type === "none")) out.tool_choice = choice;
  Object.assign(out, anthropicStructured(body, ctx.model, "text.format"));
  if (body.stream) out.stream = true;
  return out;
}

const itemId = (prefix: string) => `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;

/** Anthropic content blocks → Responses output items (text → one message item, tool_use → function_call). */
function outputItems(blocks: Json[]): Json[] {
  const items: Json[] = [];
  const text = blocks
    .filter((b) => b.type === "text")
    .map((b) => b.text)
    .join("");
  if (text) {
    items.push({
      id: itemId("msg"),
      type: "message",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text, annotations: [], logprobs: [] }],
    });
  }
  for (const b of blocks.filter((b) => b.type === "tool_use")) {
    items.push({
      id: itemId("fc"),
      type: "function_call",
      status: "completed",
      call_id: b.id,
      name: b.name,
      arguments: JSON.stringify(b.input ?? {}),
    });
  }
  return items;
}

function response(upstream: Json, ctx: TranslationContext) {
  const message = usesForcedTool(ctx.body, ctx.model) ? unwrapForcedTool(upstream) : upstream;
  const usage = complete(anthropicUsage(message.usage));
  const incomplete = message.stop_reason === "max_tokens";
  return {
    usage,
    body: responseObject(ctx, {
      id: `resp_${message.id ?? crypto.randomUUID()}`,
      status: incomplete ? "incomplete" : "completed",
      output: outputItems(message.content ?? []),
      usage,
    }),
  };
}

type OpenItem =
  | { kind: "text"; index: number; id: string; text: string }
  | { kind: "tool"; index: number; id: string; callId: string; name: string; args: string };

/** Anthropic stream events → Responses events (response.created … output_text.delta … response.completed). */
class AnthropicToResponsesStream extends StreamTranslatorBase {
  private id = `resp_${crypto.randomUUID().replaceAll("-", "")}`;
  private sequence = 0;
  private stop: string | null = null;
  private readonly output: Json[] = [];
  /** Anthropic block index → the open output item. */
  private readonly open = new Map<number, OpenItem>();
  private readonly unwrapper: ForcedToolUnwrapper | undefined;
  private started = false;

  constructor(private readonly ctx: TranslationContext) {
    super();
    this.unwrapper = usesForcedTool(ctx.body, ctx.model) ? new ForcedToolUnwrapper() : undefined;
  }

  private send(type: string, data: Json): string {
    return formatSse({ type, sequence_number: this.sequence++, ...data }, type);
  }

  private snapshot(status: string, usage?: Json) {
    return responseObject(this.ctx, {
      id: this.id,
      status,
      output: status === "in_progress" ? [] : this.output,
      usage,
    });
  }

  private begin(id?: string): string {
    if (this.started) return "";
    this.started = true;
    if (id) this.id = `resp_${id}`;
    return (
      this.send("response.created", { response: this.snapshot("in_progress") }) +
      this.send("response.in_progress", { response: this.snapshot("in_progress") })
    );
  }

  event(raw: SseEvent): string {
    const e = this.readAnthropicEvent(this.unwrapper ? this.unwrapper.event(raw) : raw);
    if (!e) return "";
    switch (e.type) {
      case "message_start":
        return this.begin(e.message?.id);
      case "content_block_start":
        return this.begin() + this.startBlock(e.index, e.content_block ?? {});
      case "content_block_delta":
        return this.delta(e.index, e.delta ?? {});
      case "content_block_stop":
        return this.stopBlock(e.index);
      case "message_delta":
        this.stop = e.delta?.stop_reason ?? this.stop;
        return "";
      case "message_stop":
        return this.finish();
      case "error":
        return responsesError(e.error?.message ?? "Provider error.", this.sequence++);
      default:
        return "";
    }
  }

  private startBlock(index: number, block: Json): string {
    const outputIndex = this.output.length + this.open.size;
    if (block.type === "text") {
      const item: OpenItem = { kind: "text", index: outputIndex, id: itemId("msg"), text: "" };
      this.open.set(index, item);
      return (
        this.send("response.output_item.added", {
          output_index: outputIndex,
          item: { id: item.id, type: "message", role: "assistant", status: "in_progress", content: [] },
        }) +
        this.send("response.content_part.added", {
          item_id: item.id,
          output_index: outputIndex,
          content_index: 0,
          part: { type: "output_text", text: "", annotations: [], logprobs: [] },
        })
      );
    }
    if (block.type === "tool_use") {
      const item: OpenItem = {
        kind: "tool",
        index: outputIndex,
        id: itemId("fc"),
        callId: block.id,
        name: block.name,
        args: "",
      };
      this.open.set(index, item);
      return this.send("response.output_item.added", {
        output_index: outputIndex,
        item: {
          id: item.id,
          type: "function_call",
          status: "in_progress",
          call_id: item.callId,
          name: item.name,
          arguments: "",
        },
      });
    }
    return ""; // thinking and other blocks are not part of a Responses answer here
  }

  private delta(index: number, delta: Json): string {
    const item = this.open.get(index);
    if (!item) return "";
    if (item.kind === "text" && delta.type === "text_delta") {
      item.text += delta.text;
      return this.send("response.output_text.delta", {
        item_id: item.id,
        output_index: item.index,
        content_index: 0,
        delta: delta.text,
        logprobs: [],
      });
    }
    if (item.kind === "tool" && delta.type === "input_json_delta") {
      item.args += delta.partial_json;
      return this.send("response.function_call_arguments.delta", {
        item_id: item.id,
        output_index: item.index,
        delta: delta.partial_json,
      });
    }
    return "";
  }

  private stopBlock(index: number): string {
    const item = this.open.get(index);
    if (!item) return "";
    this.open.delete(index);
    if (item.kind === "text") {
      const part = { type: "output_text", text: item.text, annotations: [], logprobs: [] };
      const done = { id: item.id, type: "message", role: "assistant", status: "completed", content: [part] };
      this.output.push(done);
      return (
        this.send("response.output_text.done", {
          item_id: item.id,
          output_index: item.index,
          content_index: 0,
          text: item.text,
          logprobs: [],
        }) +
        this.send("response.content_part.done", {
          item_id: item.id,
          output_index: item.index,
          content_index: 0,
          part,
        }) +
        this.send("response.output_item.done", { output_index: item.index, item: done })
      );
    }
    const args = item.args || "{}";
    const done = {
      id: item.id,
      type: "function_call",
      status: "completed",
      call_id: item.callId,
      name: item.name,
      arguments: args,
    };
    this.output.push(done);
    return (
      this.send("response.function_call_arguments.done", {
        item_id: item.id,
        output_index: item.index,
        name: item.name,
        arguments: args,
      }) + this.send("response.output_item.done", { output_index: item.index, item: done })
    );
  }

  private finish(): string {
    this.done = true;
    let out = this.begin();
    for (const index of [...this.open.keys()]) out += this.stopBlock(index);
    const incomplete = this.stop === "max_tokens";
    const usage = complete(this.reported);
    const response = this.snapshot(incomplete ? "incomplete" : "completed", usage);
    return out + this.send(incomplete ? "response.incomplete" : "response.completed", { response });
  }

  cut(message: string) {
    return responsesError(message, this.sequence++);
  }
}

export const responsesToMessages: Translation = {
  upstreamOperation: "chat",
  request,
  response,
  stream: (ctx) => new AnthropicToResponsesStream(ctx),
};
