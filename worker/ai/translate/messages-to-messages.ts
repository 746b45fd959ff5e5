// Anthropic-dialect client → Anthropic provider: pass through, swapping the model id (the answer names the id
// the client asked for) and noting usage.
import { formatSse, type SseEvent } from "../sse";
import { anthropicUsage, complete } from "./anthropic";
import { withoutIdentity } from "./privacy";
import { StreamTranslatorBase } from "./stream-base";
import type { Json, Translation, TranslationContext } from "./types";

export function anthropicError(message: string): string {
  return formatSse({ type: "error", error: { type: "api_error", message } }, "error");
}

export const messagesToMessages: Translation = {
  request: (body, ctx) => ({ ...withoutIdentity(body), model: ctx.model.upstreamModel }),
  response: (upstream, ctx) => ({
    body: { ...upstream, model: ctx.model.id },
    usage: complete(anthropicUsage((upstream as Json).usage)),
  }),
  stream: (ctx) => new PassThroughAnthropic(ctx),
};

class PassThroughAnthropic extends StreamTranslatorBase {
  constructor(private readonly ctx: TranslationContext) {
    super();
  }

  event(event: SseEvent): string {
    const e = this.readAnthropicEvent(event);
    if (!e) return event.raw;
    if (e.type === "message_stop") this.done = true;
    if (e.type === "message_start" && e.message) {
      return formatSse({ ...e, message: { ...e.message, model: this.ctx.model.id } }, event.event);
    }
    return event.raw;
  }
  cut(message: string) {
    return anthropicError(message);
  }
}
