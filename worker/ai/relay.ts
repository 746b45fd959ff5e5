// Relaying a streamed answer: each upstream chunk goes to the client as soon as it arrives, and the stream always
// ends cleanly — finished, cut by the upstream, idle too long, or abandoned by the client — with `onEnd` told
// which, exactly once, whatever the client does meanwhile (ADR 023).
import { SseParser } from "./sse";
import type { StreamTranslator } from "./translate/types";

type StreamOutcome = "complete" | "cut" | "aborted" | "stopped";

type RelayOptions = {
  /** Longest silence between upstream chunks before the stream counts as cut. */
  idleMs: number;
  /** Keep the client-facing text (only when the account turned content logging on). */
  capture: boolean;
  /** Aborts when the stream must end now (its key revoked or expired: worker/keys/stream-guard.ts); the reason's
   * message goes to the client as the dialect's error event, and the outcome is "stopped". */
  stop?: AbortSignal | undefined;
  /** Told once, when the first text reaches the client: the stream's first token. */
  onFirstSend?: () => void;
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
  let sent = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;

  const end = (outcome: StreamOutcome) => {
    if (ended) return;
    ended = true;
    options.onEnd(outcome, captured?.join(""));
  };
  const abandon = () => {
    reader.cancel().catch(() => {});
    end("aborted");
  };
  /** Hands text to the client; false once the client is gone (the stream was cancelled or torn down). */
  const send = (text: string): boolean => {
    if (!text) return true;
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      abandon();
      return false;
    }
    captured?.push(text);
    if (!sent) {
      sent = true;
      options.onFirstSend?.();
    }
    return true;
  };
  const close = (outcome: "complete" | "cut" | "stopped") => {
    try {
      controller.close();
    } catch {
      // The client is gone already; what the provider did still decides the outcome.
    }
    end(outcome);
  };
  const cut = (message = CUT_MESSAGE, outcome: "cut" | "stopped" = "cut") => {
    if (!send(translator.cut(message))) return;
    reader.cancel().catch(() => {});
    close(outcome);
  };
  options.stop?.addEventListener(
    "abort",
    () => {
      if (!ended) cut((options.stop!.reason as Error).message, "stopped");
    },
    { once: true },
  );

  // The provider is read at its own pace, not the client's: the end of the provider's stream (its usage and
  // [DONE]) is reached and metered even when the client stops reading without the stream being cancelled, as a
  // runtime tearing down a hung-up response may do. A cancel stops the reading and meters the stream aborted.
  const pump = async () => {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await readWithin(reader.read(), options.idleMs);
      } catch {
        if (!ended) cut();
        return;
      }
      if (ended) return;
      if (chunk.done) {
        if (!translator.finished()) return cut();
        if (send(translator.end())) close("complete");
        return;
      }
      let text = "";
      for (const event of parser.push(decoder.decode(chunk.value, { stream: true }))) {
        text += translator.event(event);
      }
      if (!send(text)) return;
    }
  };

  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      void pump();
    },
    cancel: abandon,
  });
}
