// Forward-compatible validation: a field we do not know passes through to a provider of the client's dialect,
// but a translation to another dialect cannot carry it, so it is refused by name instead of dropped.
import { badRequest } from "../../errors";
import { ChatRequest, MessagesRequest, ResponsesRequest } from "../schemas";

const known = {
  chat: new Set(Object.keys(ChatRequest.shape)),
  messages: new Set(Object.keys(MessagesRequest.shape)),
  responses: new Set(Object.keys(ResponsesRequest.shape)),
};

export function refuseUnknown(kind: keyof typeof known, body: Record<string, unknown>, target: string): void {
  for (const [field, value] of Object.entries(body)) {
    if (value === undefined || value === null || known[kind].has(field)) continue;
    throw badRequest(
      `'${field}' cannot be sent to ${target}: this gateway does not know how to translate it (it is passed through only to a provider of the same API).`,
      field,
      "untranslatable_parameter",
    );
  }
}
