// Relaying a streamed answer: each upstream chunk goes to the client as soon as it arrives (no buffering beyond
// one SSE event), and the stream always ends cleanly — finished, cut by the upstream, idle too long, or
// abandoned by the client — with `onEnd` told which, exactly once.
import { SseParser } from "./sse";
import type { StreamTranslator } from "./translate/types";

type StreamOutcome = "complete" | "cut" | "aborted";

type RelayOptions = {
  /** Longest silence between upstream chunks before the stream counts as cut. */
  idleMs: number;
  /** Keep the client-facing text (only when the account turned content logging on). */
  capture: boolean;
  onEnd: (outcome: StreamOutcome, captured: string | undefined) => void;
};

const CUT_MESSAGE = "The provider's stream ended early; the response is incomplete.";

class IdleTimeout extends Error {
  override name = "IdleTimeout";
}

function readWithin<T>(read: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IdleTimeout()), ms);
  });
  return Promise.race([read, idle]).finally(() => clearTimeout(timer));
}

export function relay(
  upstream: ReadableStream<Uint8Array>,
  translator: StreamTranslator,
  options: RelayOptions,
): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const parser = new SseParser();
  const captured: string[] | undefined = options.capture ? [] : undefined;
  let ended = false;

  const end = (outcome: StreamOutcome) => {
    if (ended) return;
    ended = true;
    options.onEnd(outcome, captured?.join(""));
  };
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, text: string) => {
    if (!text) return false;
    controller.enqueue(encoder.encode(text));
    captured?.push(text);
    return true;
  };
  const cut = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    send(controller, translator.cut(CUT_MESSAGE));
    controller.close();
    reader.cancel().catch(() => {});
    end("cut");
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await readWithin(reader.read(), options.idleMs);
          } catch {
            cut(controller);
            return;
          }
          if (chunk.done) {
            if (!translator.finished()) {
              cut(controller);
              return;
            }
            send(controller, translator.end());
            controller.close();
            end("complete");
            return;
          }
          let text = "";
          for (const event of parser.push(decoder.decode(chunk.value, { stream: true }))) {
            text += translator.event(event);
          }
          if (send(controller, text)) return;
        }
      },
      cancel() {
        reader.cancel().catch(() => {});
        end("aborted");
      },
    },
    { highWaterMark: 0 },
  );
}
