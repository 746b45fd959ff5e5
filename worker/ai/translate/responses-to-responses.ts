// Responses API client → an OpenAI provider's /responses: passed through, with the model id swapped, nothing
// stored at the provider (store: false, ADR 025), and the answer named by the model id the client asked for.
import { formatSse, type SseEvent } from "../sse";
import { withoutIdentity } from "./privacy";
import { responsesError, usageFromResponses } from "./responses-shape";
import { StreamTranslatorBase } from "./stream-base";
import type { Json, Translation, TranslationContext } from "./types";

const FINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

export const responsesToResponses: Translation = {
  request: (body, ctx) => ({ ...withoutIdentity(body), model: ctx.model.upstreamModel, store: false }),
  response: (upstream, ctx) => ({
    body: { ...upstream, model: ctx.model.id },
    usage: usageFromResponses((upstream as Json).usage),
  }),
  stream: (ctx) => new PassThroughResponses(ctx),
};

class PassThroughResponses extends StreamTranslatorBase {
  constructor(private readonly ctx: TranslationContext) {
    super();
  }

  event(event: SseEvent): string {
    let e: Json;
    try {
      e = JSON.parse(event.data);
    } catch {
      return event.raw;
    }
    if (typeof e.delta === "string") this.chars += e.delta.length;
    if (!e.response) return event.raw;
    if (FINAL.has(e.type)) {
      this.done = true;
      this.reported = usageFromResponses(e.response.usage) ?? this.reported;
    }
    return formatSse({ ...e, response: { ...e.response, model: this.ctx.model.id } }, event.event);
  }

  cut(message: string) {
    return responsesError(message, 0);
  }
}
