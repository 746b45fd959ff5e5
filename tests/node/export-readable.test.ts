// The export's user units: dollars, ISO times, booleans, and logged streams decoded to their text.
import { describe, expect, it } from "vitest";
import { readableExchange, readableResponse, readableRow } from "#worker/privacy/export/readable";

describe("readable export", () => {
  it("turns micros into dollars, cents into amounts, epoch ms into ISO, 0/1 into booleans", () => {
    expect(
      readableRow({
        _rowid: 3,
        cost_micros: 1_500_000,
        amount_due_cents: 2000,
        created_at: 0,
        streamed: 1,
        model: "m",
      }),
    ).toEqual({
      cost_usd: 1.5,
      amount_due: 20,
      created_at: "1970-01-01T00:00:00.000Z",
      streamed: true,
      model: "m",
    });
  });

  it("decodes OpenAI, Anthropic and Responses streams to the streamed text", () => {
    const openai =
      'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\ndata: {"choices":[{"delta":{"content":"lo"}}]}\n\ndata: [DONE]\n\n';
    expect(readableResponse(openai)).toEqual({ streamed: true, text: "Hello", events: 2 });
    const anthropic =
      'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"Hi"}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n';
    expect(readableResponse(anthropic)).toMatchObject({ streamed: true, text: "Hi" });
    const responses =
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"Yo"}\n\n';
    expect(readableResponse(responses)).toMatchObject({ text: "Yo" });
  });

  it("shows JSON requests and responses as objects, not strings", () => {
    const out = readableExchange({
      requestId: "r",
      source: "api",
      model: "dev/echo",
      createdAt: "2026-01-01T00:00:00.000Z",
      request: '{"messages":[{"role":"user","content":"x"}]}',
      response: '{"id":"c1"}',
    });
    expect(out.request).toEqual({ messages: [{ role: "user", content: "x" }] });
    expect(out.response).toEqual({ id: "c1" });
  });
});
