// Facts about the Anthropic wire format shared by the translations: usage, stop reasons, stream events.
import type { Json, Usage } from "./types";

export function anthropicUsage(usage: Json): Partial<Usage> {
  if (!usage) return {};
  const out: Partial<Usage> = {};
  if (typeof usage.input_tokens === "number") {
    // Cached prompt tokens are input too; they are billed as input here.
    out.inputTokens =
      usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
  }
  if (typeof usage.output_tokens === "number") out.outputTokens = usage.output_tokens;
  return out;
}

export function complete(usage: Partial<Usage>): Usage | undefined {
  return usage.inputTokens !== undefined && usage.outputTokens !== undefined
    ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens }
    : undefined;
}

const toOpenAI: Record<string, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};
const toAnthropic: Record<string, string> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  function_call: "tool_use",
  content_filter: "refusal",
};

export const finishReasonFor = (stop: string | null | undefined) =>
  stop ? (toOpenAI[stop] ?? "stop") : null;
export const stopReasonFor = (finish: string | null | undefined) =>
  finish ? (toAnthropic[finish] ?? "end_turn") : null;

/** Characters of generated content in one Anthropic stream event. */
export function anthropicEventChars(event: Json): number {
  if (event.type !== "content_block_delta") return 0;
  const d = event.delta ?? {};
  return (d.text?.length ?? 0) + (d.partial_json?.length ?? 0) + (d.thinking?.length ?? 0);
}
