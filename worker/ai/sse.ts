// Server-sent events: split a byte stream into events and write them back, without waiting for more than one event.
export type SseEvent = {
  /** The `event:` field, when the upstream names its events (Anthropic does, OpenAI does not). */
  event?: string;
  data: string;
  /** The event exactly as received, for pass-through without re-serialising. */
  raw: string;
};

export class SseParser {
  private buffer = "";

  /** Complete events in `text` (plus what was left over from earlier); a partial event waits for its end. */
  push(text: string): SseEvent[] {
    this.buffer += text;
    if (this.buffer.includes("\r")) this.buffer = this.buffer.replace(/\r\n/g, "\n");
    const events: SseEvent[] = [];
    let end = this.buffer.indexOf("\n\n");
    while (end !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event = parseBlock(block);
      if (event) events.push(event);
      end = this.buffer.indexOf("\n\n");
    }
    return events;
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("data:")) data.push(line.slice(line.charAt(5) === " " ? 6 : 5));
    else if (line.startsWith("event:")) event = line.slice(6).trim();
  }
  if (data.length === 0 && !event) return undefined; // a comment or keep-alive
  return { event, data: data.join("\n"), raw: `${block}\n\n` };
}

export function formatSse(data: unknown, event?: string): string {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  return event ? `event: ${event}\ndata: ${payload}\n\n` : `data: ${payload}\n\n`;
}
