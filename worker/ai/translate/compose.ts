// Two translations in a row (client → middle dialect → provider), e.g. Responses → Messages → Chat for an
// OpenAI-compatible provider without /responses (the dev provider). Streams pass through both translators.
import { SseParser } from "../sse";
import type { StreamTranslator, Translation } from "./types";

export function compose(outer: Translation, inner: Translation): Translation {
  return {
    upstreamOperation: inner.upstreamOperation ?? outer.upstreamOperation,
    request: (body, ctx) => {
      const middle = outer.request(body, ctx);
      return inner.request(middle, { ...ctx, body: middle });
    },
    response: (upstream, ctx) => {
      const middle = inner.response(upstream, ctx);
      return { body: outer.response(middle.body as Record<string, unknown>, ctx).body, usage: middle.usage };
    },
    stream: (ctx) => new ComposedStream(outer.stream(ctx), inner.stream(ctx)),
  };
}

class ComposedStream implements StreamTranslator {
  private readonly parser = new SseParser();

  constructor(
    private readonly outer: StreamTranslator,
    private readonly inner: StreamTranslator,
  ) {}

  private through(text: string): string {
    if (!text) return "";
    let out = "";
    for (const event of this.parser.push(text)) out += this.outer.event(event);
    return out;
  }
  event(event: Parameters<StreamTranslator["event"]>[0]) {
    return this.through(this.inner.event(event));
  }
  end() {
    return this.through(this.inner.end()) + this.outer.end();
  }
  finished() {
    return this.inner.finished();
  }
  cut(message: string) {
    return this.outer.cut(message);
  }
  usage() {
    return this.inner.usage();
  }
  deliveredChars() {
    return this.inner.deliveredChars();
  }
}
