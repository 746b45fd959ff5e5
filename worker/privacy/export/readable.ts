// The export in user units: money in dollars (not micro-dollars or cents), times in ISO 8601, switches
// as booleans, and logged streams decoded to the text that was streamed (not raw server-sent events).
import { SseParser } from "../../ai/sse";

/** Columns stored as 0/1 that mean yes/no. */
const BOOLEAN_COLUMNS = new Set([
  "streamed",
  "estimated",
  "content_logging",
  "training_consent",
  "notices",
  "old_value",
  "new_value",
  "non_text_messages",
]);

/** One D1 row as a person reads it. */
export function readableRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === "_rowid") continue;
    if (typeof v === "number" && /_micros$/.test(k)) out[k.replace(/_micros$/, "_usd")] = v / 1_000_000;
    else if (typeof v === "number" && /_cents$/.test(k)) out[k.replace(/_cents$/, "")] = v / 100;
    else if (typeof v === "number" && /_(at|until|end)$/.test(k)) out[k] = new Date(v).toISOString();
    else if (BOOLEAN_COLUMNS.has(k) && (v === 0 || v === 1)) out[k] = v === 1;
    else out[k] = v;
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The text a chunk carries, for the stream shapes we relay (OpenAI chat, Anthropic, Responses). */
function deltaText(event: { event?: string; data: string }): string {
  const data = parseJson(event.data) as Record<string, unknown> | string;
  if (!data || typeof data !== "object") return "";
  const choices = data.choices as { delta?: { content?: unknown } }[] | undefined;
  if (Array.isArray(choices))
    return choices.map((c) => (typeof c.delta?.content === "string" ? c.delta.content : "")).join("");
  const delta = data.delta as { text?: unknown } | string | undefined;
  if (
    data.type === "content_block_delta" &&
    delta &&
    typeof delta === "object" &&
    typeof delta.text === "string"
  )
    return delta.text;
  if (data.type === "response.output_text.delta" && typeof delta === "string") return delta;
  return "";
}

/**
 * A logged response: JSON as an object; a stream as the text it delivered (and how many events).
 * @internal
 */
export function readableResponse(response: string): unknown {
  const trimmed = response.trimStart();
  if (!/^(data|event):/.test(trimmed)) return parseJson(response);
  const events = new SseParser().push(`${response}\n\n`);
  return {
    streamed: true,
    text: events.map(deltaText).join(""),
    events: events.filter((e) => e.data !== "[DONE]").length,
  };
}

/** A logged exchange as a person reads it. */
export function readableExchange(exchange: {
  requestId: string;
  source: string;
  model: string;
  createdAt: string;
  request: string;
  response: string;
}) {
  return {
    requestId: exchange.requestId,
    source: exchange.source,
    model: exchange.model,
    createdAt: exchange.createdAt,
    request: parseJson(exchange.request),
    response: readableResponse(exchange.response),
  };
}
