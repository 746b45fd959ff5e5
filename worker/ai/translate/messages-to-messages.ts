// Anthropic-dialect client → Anthropic provider: pass through, swapping the model id and noting usage.
import { formatSse, type SseEvent } from "../sse";
import { anthropicEventChars, anthropicUsage, complete } from "./anthropic";
import { withoutIdentity } from "./privacy";
import type { Json, StreamTranslator, Translation, Usage } from "./types";

export function anthropicError(message: string): string {
  return formatSse({ type: "error", error: { type: "api_error", message } }, "error");
}

export const messagesToMessages: Translation = {
  request: (body, ctx) => ({ ...withoutIdentity(body), model: ctx.model.upstreamModel }),
  response: (upstream) => ({ body: upstream, usage: complete(anthropicUsage((upstream as Json).usage)) }),
  stream: () => new PassThroughAnthropic(),
};

class PassThroughAnthropic implements StreamTranslator {
  private reported: Partial<Usage> = {};
  private chars = 0;
  private done = false;

  event(event: SseEvent): string {
    let e: Json;
    try {
      e = JSON.parse(event.data);
    } catch {
      return event.raw;
    }
    this.chars += anthropicEventChars(e);
    if (e.type === "message_start")
      // message_start's output count is a placeholder; only message_delta's is final.
      this.reported.inputTokens = anthropicUsage(e.message?.usage).inputTokens;
    if (e.type === "message_delta") {
      const usage = anthropicUsage(e.usage);
      if (usage.outputTokens !== undefined) this.reported.outputTokens = usage.outputTokens;
      if (usage.inputTokens !== undefined && this.reported.inputTokens === undefined) {
        this.reported.inputTokens = usage.inputTokens;
      }
    }
    if (e.type === "message_stop") this.done = true;
    return event.raw;
  }
  end() {
    return "";
  }
  finished() {
    return this.done;
  }
  cut(message: string) {
    return anthropicError(message);
  }
  usage() {
    return this.reported;
  }
  deliveredChars() {
    return this.chars;
  }
}
