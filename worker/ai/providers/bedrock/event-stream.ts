// AWS's event-stream framing (application/vnd.amazon.eventstream), as Bedrock's ConverseStream sends it: each
// message is a prelude (total length, headers length: big-endian u32 each; the prelude's CRC32), the headers
// (name length u8, name, value type u8, value — here only strings, type 7: u16 length + UTF-8), the payload and
// the whole message's CRC32. Decoded into server-sent events (`event:` the :event-type or :exception-type,
// `data:` the JSON payload) so the stream translators read Bedrock like every other provider.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE 802.3), the checksum event-stream uses for the prelude and the message.
 * @internal exported for its test */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

type EventMessage = { headers: Record<string, string>; payload: Uint8Array };

const decoder = new TextDecoder();

function readHeaders(bytes: Uint8Array): Record<string, string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headers: Record<string, string> = {};
  let at = 0;
  while (at < bytes.length) {
    const nameLength = bytes[at]!;
    const name = decoder.decode(bytes.subarray(at + 1, at + 1 + nameLength));
    at += 1 + nameLength;
    const type = bytes[at]!;
    if (type !== 7) throw new Error(`event-stream header ${name}: value type ${type} is not a string`);
    const length = view.getUint16(at + 1);
    headers[name] = decoder.decode(bytes.subarray(at + 3, at + 3 + length));
    at += 3 + length;
  }
  return headers;
}

/** Splits a byte stream into event-stream messages, checking both CRCs; a bad one is an error (a cut stream).
 * @internal exported for its test */
export class EventStreamDecoder {
  private buffer = new Uint8Array(0);

  push(chunk: Uint8Array): EventMessage[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    const messages: EventMessage[] = [];
    let at = 0;
    while (joined.length - at >= 12) {
      const view = new DataView(joined.buffer, at);
      const total = view.getUint32(0);
      const headersLength = view.getUint32(4);
      if (crc32(joined.subarray(at, at + 8)) !== view.getUint32(8))
        throw new Error("event-stream prelude CRC");
      if (total < 16 + headersLength) throw new Error("event-stream message length");
      if (joined.length - at < total) break;
      const message = joined.subarray(at, at + total);
      if (crc32(message.subarray(0, total - 4)) !== view.getUint32(total - 4)) {
        throw new Error("event-stream message CRC");
      }
      messages.push({
        headers: readHeaders(message.subarray(12, 12 + headersLength)),
        payload: message.subarray(12 + headersLength, total - 4),
      });
      at += total;
    }
    this.buffer = joined.slice(at);
    return messages;
  }

  /** Bytes of an unfinished message left when the stream ended. */
  pending(): number {
    return this.buffer.length;
  }
}

/** One event-stream message as a server-sent event; an exception's payload gains its type. */
function toSse({ headers, payload }: EventMessage): string {
  const text = decoder.decode(payload) || "{}";
  if (headers[":message-type"] === "exception" || headers[":message-type"] === "error") {
    const type = headers[":exception-type"] ?? headers[":error-code"] ?? "error";
    let message = headers[":error-message"] ?? "";
    try {
      message = JSON.parse(text).message ?? message;
    } catch {}
    return `event: exception\ndata: ${JSON.stringify({ type, message })}\n\n`;
  }
  return `event: ${headers[":event-type"] ?? "message"}\ndata: ${text.replaceAll("\n", "")}\n\n`;
}

/** A ConverseStream body as server-sent events. A frame that fails its CRC ends the stream (read as a cut). */
export function eventStreamToSse(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const events = new EventStreamDecoder();
  const encoder = new TextEncoder();
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        let messages: EventMessage[];
        try {
          messages = events.push(chunk);
        } catch {
          controller.terminate();
          return;
        }
        for (const m of messages) controller.enqueue(encoder.encode(toSse(m)));
      },
    }),
  );
}
