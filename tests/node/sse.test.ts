// The SSE parser: the same events whatever way the bytes are cut, CRLF or LF, named or not, with a
// partial event held back until its end arrives.
import { describe, expect, it } from "vitest";
import { formatSse, SseParser } from "#worker/ai/sse";

const stream = 'event: a\ndata: 1\n\ndata: 2\n\ndata: {"x":3}\n\n';
const expected = [
  { event: "a", data: "1", raw: "event: a\ndata: 1\n\n" },
  { data: "2", raw: "data: 2\n\n" },
  { data: '{"x":3}', raw: 'data: {"x":3}\n\n' },
];

/** Cuts `text` into pieces of `size` characters. */
const cut = (text: string, size: number) =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

describe("SseParser", () => {
  it.each([1, 2, 3, 5, 7, 11, 1000])("finds the same events in pieces of %i characters", (size) => {
    const parser = new SseParser();
    expect(cut(stream, size).flatMap((piece) => parser.push(piece))).toEqual(expected);
  });

  it.each([
    ["CRLF line ends", "data: 1\r\n\r\n", [{ data: "1", raw: "data: 1\n\n" }]],
    [
      "a named event",
      "event: ping\ndata: {}\n\n",
      [{ event: "ping", data: "{}", raw: "event: ping\ndata: {}\n\n" }],
    ],
    ["no complete event yet", "data: par", []],
    ["data with no space after the colon", "data:x\n\n", [{ data: "x", raw: "data:x\n\n" }]],
    [
      "data lines joined by a newline",
      "data: a\ndata: b\n\n",
      [{ data: "a\nb", raw: "data: a\ndata: b\n\n" }],
    ],
    [
      "a comment (keep-alive) is no event",
      ": keep-alive\n\ndata: 1\n\n",
      [{ data: "1", raw: "data: 1\n\n" }],
    ],
    [
      "an event name trimmed",
      "event:  done \ndata: 1\n\n",
      [{ event: "done", data: "1", raw: "event:  done \ndata: 1\n\n" }],
    ],
    ["an event with no data", "event: ping\n\n", [{ event: "ping", data: "", raw: "event: ping\n\n" }]],
    ["an unknown field ignored", "id: 7\ndata: 1\n\n", [{ data: "1", raw: "id: 7\ndata: 1\n\n" }]],
    [
      "two events in one piece, CRLF",
      "data: 1\r\n\r\ndata: 2\r\n\r\n",
      [
        { data: "1", raw: "data: 1\n\n" },
        { data: "2", raw: "data: 2\n\n" },
      ],
    ],
  ])("%s", (_name, text, events) => {
    expect(new SseParser().push(text)).toEqual(events);
  });

  it("holds a partial event until its end arrives", () => {
    const parser = new SseParser();
    expect(parser.push("data: par")).toEqual([]);
    expect(parser.push("tial\n\n")).toEqual([{ data: "partial", raw: "data: partial\n\n" }]);
  });

  it.each([
    [{ a: 1 }, undefined, 'data: {"a":1}\n\n'],
    ["[DONE]", undefined, "data: [DONE]\n\n"],
    [{ type: "ping" }, "ping", 'event: ping\ndata: {"type":"ping"}\n\n'],
  ])("formatSse(%j) round-trips through the parser", (data, event, text) => {
    const written = formatSse(data, event);
    expect(written).toBe(text);
    expect(new SseParser().push(written)[0]?.raw).toBe(written);
  });
});
