// Anthropic-dialect client → Anthropic provider: pass through, swapping the model id and noting usage.
import { formatSse, type SseEvent } from "../sse";
import { anthropicEventChars, anthropicUsage, complete } from "./anthropic";
import { withoutIdentity } from "./privacy";
import { StreamTranslatorBase } from "./stream-base";
import type { Json, Translation } from "./types";

export function anthropicError(message: string): string {
  return formatSse({ type: "error", error: { type: "api_error", message } }, "error");
}

export const messagesToMessages: Translation = {
  request: (body, ctx) => ({ ...withoutIdentity(body), model: ctx.model.upstreamModel }),
  response: (upstream) => ({ body: upstream, usage: complete(anthropicUsage((upstream as Json).usage)) }),
  stream: () => new PassThroughAnthropic(),
};

class PassThroughAnthropic extends StreamTranslatorBase {
  event(event: SseEvent): string {
    let e: Json;
    try {
      e = JSON.parse(event.data);
    } catch {
      return event.raw;
    }
    this.chars += anthropicEventChars(e);
    this.noteAnthropicUsage(e);
    if (e.type === "message_stop") this.done = true;
    return event.raw;
  }
  cut(message: string) {
    return anthropicError(message);
  }
}
