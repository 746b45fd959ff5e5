// Structured output across dialects: an OpenAI JSON format (chat's response_format, the Responses API's
// text.format) to an Anthropic model becomes Anthropic's output_config where the model supports it, a forced
// tool otherwise — whose answer is turned back into the JSON text the client asked for. And back: Anthropic's
// output_config to an OpenAI model becomes response_format.
import { badRequest } from "../../errors";
import type { CatalogueModel } from "../catalogue/model";
import type { SseEvent } from "../sse";
import { formatSse } from "../sse";
import type { Json } from "./types";

/** The tool an Anthropic model is made to call when it has no structured-output parameter. */
const FORCED_TOOL = "json_response";

type JsonFormat = { type: "json_schema" | "json_object"; name?: string; schema?: Json };

/** The client's JSON format, from either OpenAI request shape; undefined for plain text. */
function openaiJsonFormat(body: Json): JsonFormat | undefined {
  const chat = body.response_format;
  if (chat && chat.type === "json_schema") {
    return { type: "json_schema", name: chat.json_schema?.name, schema: chat.json_schema?.schema };
  }
  if (chat && chat.type === "json_object") return { type: "json_object" };
  const format = body.text?.format;
  if (format && (format.type === "json_schema" || format.type === "json_object")) return format;
  return undefined;
}

/** Whether the Anthropic request for this client body uses the forced tool (and its answer needs unwrapping). */
export function usesForcedTool(body: Json, model: CatalogueModel): boolean {
  const format = openaiJsonFormat(body);
  return format !== undefined && !(format.type === "json_schema" && model.structuredOutput);
}

/** The Anthropic fields that ask for `format`: output_config, or a forced tool. */
export function anthropicStructured(body: Json, model: CatalogueModel, param: string): Json {
  const format = openaiJsonFormat(body);
  if (!format) return {};
  const schema = format.type === "json_schema" ? format.schema : { type: "object" };
  if (format.type === "json_schema" && !schema) {
    throw badRequest(`'${param}' needs a schema.`, param, "invalid_request");
  }
  if (!usesForcedTool(body, model)) {
    return { output_config: { format: { type: "json_schema", schema } } };
  }
  if (body.tools?.length) {
    throw badRequest(
      `'${param}' together with tools cannot be sent to ${model.id}, which has no structured-output parameter.`,
      param,
      "untranslatable_parameter",
    );
  }
  if (schema.type !== "object") {
    throw badRequest(
      `'${param}' must describe a JSON object for ${model.id} (it answers through a tool).`,
      param,
      "untranslatable_parameter",
    );
  }
  return {
    tools: [{ name: FORCED_TOOL, description: "Answer with this JSON.", input_schema: schema }],
    tool_choice: { type: "tool", name: FORCED_TOOL },
  };
}

/** A whole Anthropic message with the forced tool's input turned back into text. */
export function unwrapForcedTool(message: Json): Json {
  const content = (message.content ?? []).map((b: Json) =>
    b.type === "tool_use" && b.name === FORCED_TOOL
      ? { type: "text", text: JSON.stringify(b.input ?? {}) }
      : b,
  );
  const stop = message.stop_reason === "tool_use" ? "end_turn" : message.stop_reason;
  return { ...message, content, stop_reason: stop };
}

/** Rewrites Anthropic stream events so the forced tool's arguments stream as text. */
export class ForcedToolUnwrapper {
  private readonly toolBlocks = new Set<number>();

  event(event: SseEvent): SseEvent {
    let e: Json;
    try {
      e = JSON.parse(event.data);
    } catch {
      return event;
    }
    let out: Json | undefined;
    if (e.type === "content_block_start" && e.content_block?.type === "tool_use") {
      if (e.content_block.name !== FORCED_TOOL) return event;
      this.toolBlocks.add(e.index);
      out = { ...e, content_block: { type: "text", text: "" } };
    } else if (e.type === "content_block_delta" && this.toolBlocks.has(e.index)) {
      out = { ...e, delta: { type: "text_delta", text: e.delta?.partial_json ?? "" } };
    } else if (e.type === "message_delta" && e.delta?.stop_reason === "tool_use") {
      out = { ...e, delta: { ...e.delta, stop_reason: "end_turn" } };
    }
    if (!out) return event;
    const raw = formatSse(out, e.type);
    return { event: e.type, data: JSON.stringify(out), raw };
  }
}

/** Anthropic's output_config.format → OpenAI chat's response_format. */
export function openaiResponseFormat(body: Json): Json {
  const format = body.output_config?.format;
  if (!format) return undefined;
  if (format.type !== "json_schema") {
    throw badRequest(
      `'output_config.format.type' ${format.type} cannot be sent to an OpenAI model.`,
      "output_config.format.type",
      "untranslatable_parameter",
    );
  }
  return { type: "json_schema", json_schema: { name: "response", schema: format.schema, strict: false } };
}
