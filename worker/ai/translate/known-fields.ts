// Forward-compatible validation: a field we do not know passes through to a provider of the client's dialect,
// but a translation to another dialect cannot carry it, so it is refused by name instead of dropped — unless its
// value asks for nothing. Clients send fields at their defaults (the OpenAI Agents SDK always sends
// `include: []`); an empty or default value is not a request for a feature, so it is accepted and dropped.
import { badRequest } from "../../errors";
import { ChatRequest, MessagesRequest, ResponsesRequest } from "../schemas";

const known = {
  chat: new Set(Object.keys(ChatRequest.shape)),
  messages: new Set(Object.keys(MessagesRequest.shape)),
  responses: new Set(Object.keys(ResponsesRequest.shape)),
};

/** Documented defaults of fields a translation cannot carry (OpenAI's and Anthropic's API references). */
const DEFAULTS: Record<string, readonly unknown[]> = {
  n: [1],
  top_logprobs: [0],
  presence_penalty: [0],
  frequency_penalty: [0],
  truncation: ["disabled"],
  service_tier: ["auto", "default"],
  parallel_tool_calls: [true],
  modalities: [["text"]],
  verbosity: ["medium"],
  thinking: [{ type: "disabled" }],
  // Plain text is what every provider answers with unasked: a translation without structured output accepts it.
  response_format: [{ type: "text" }],
};

const isEmptyObject = (value: unknown) =>
  typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;

/**
 * True when a field's value asks for nothing: absent, null, false, an empty list or object, or the field's
 * documented default. Such a value is dropped by a translation rather than refused.
 */
export function isNoOp(field: string, value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (Array.isArray(value) && value.length === 0) return true;
  if (isEmptyObject(value)) return true;
  return (DEFAULTS[field] ?? []).some((d) => JSON.stringify(d) === JSON.stringify(value));
}

/** Refuses a field of `body` that the translation to `model` cannot carry, unless its value asks for nothing. */
export function refuseUnknown(kind: keyof typeof known, body: Record<string, unknown>, model: string): void {
  for (const [field, value] of Object.entries(body)) {
    if (known[kind].has(field) || isNoOp(field, value)) continue;
    throw badRequest(
      `'${field}' cannot be sent to ${model}: this gateway does not know how to translate it (it is passed through only to a provider of the same API).`,
      field,
      "untranslatable_parameter",
    );
  }
}
