// Upstream faults and client behaviour: every case ends with the right status, no hang, and exactly one usage row.
import { describe, expect, it } from "vitest";
import { anthropicFake, marker, openaiFake, received, script, usageRows } from "../support/ai-helpers";
import { expectConsoleError } from "../support/console-errors";
import { call, expectError, newKeyUser } from "../support/helpers";

const chat = (key: string, m: string, extra: Record<string, unknown> = {}) =>
  call("/v1/chat/completions", {
    key,
    body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: m }], ...extra },
  });

/** Reads an SSE response to its end, returning the data lines and when each arrived (ms after the start). */
async function readEvents(res: Response, started: number) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: { data: string; at: number }[] = [];
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").find((l) => l.startsWith("data: "));
      if (data) events.push({ data: data.slice(6), at: Date.now() - started });
      end = buffer.indexOf("\n\n");
    }
  }
  return events;
}

describe("upstream errors", () => {
  it("retries a 500 and gives 502 in the one error shape after the last attempt, charging nothing", async () => {
    expectConsoleError(/request failed.*"status":502/); // the provider's last 500 is our 502
    const { key, id } = await newKeyUser();
    const m = marker();
    await script(openaiFake(), { match: m, status: 500, times: 3 });
    const res = await chat(key, m);
    expect(res.headers.get("x-upstream-status")).toBe("500");
    const e = await expectError(res, 502);
    expect(e.code).toBe("upstream_error");
    expect(await received(openaiFake(), m)).toHaveLength(3);
    const rows = await usageRows(id, 1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 502, input_tokens: 0, output_tokens: 0, cost_micros: 0 });
  });

  it("recovers when a retry succeeds", async () => {
    const { key, id } = await newKeyUser();
    const m = marker();
    await script(openaiFake(), { match: m, status: 503, times: 1 });
    const res = await chat(key, m);
    expect(res.status).toBe(200);
    expect(await received(openaiFake(), m)).toHaveLength(2);
    expect(await usageRows(id, 1)).toHaveLength(1);
  });

  it("waits out a short Retry-After on 429 and then succeeds", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    await script(openaiFake(), { match: m, status: 429, headers: { "retry-after": "1" }, times: 1 });
    const started = Date.now();
    const res = await chat(key, m);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it("passes a long Retry-After on as 429 with Retry-After, without waiting", async () => {
    const { key, id } = await newKeyUser();
    const m = marker();
    await script(openaiFake(), { match: m, status: 429, headers: { "retry-after": "30" }, times: 3 });
    const started = Date.now();
    const res = await chat(key, m);
    expect(res.headers.get("retry-after")).toBe("30");
    const e = await expectError(res, 429);
    expect(e.code).toBe("upstream_rate_limited");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await received(openaiFake(), m)).toHaveLength(1);
    expect((await usageRows(id, 1))[0]).toMatchObject({ status: 429, cost_micros: 0 });
  });

  it("passes the provider's 400 on without retrying", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    await script(openaiFake(), {
      match: m,
      status: 400,
      body: { error: { message: "context too long", type: "invalid_request_error" } },
    });
    const e = await expectError(await chat(key, m), 400);
    expect(e.message).toContain("context too long");
    expect(await received(openaiFake(), m)).toHaveLength(1);
  });

  it("answers 502 when the provider refuses the platform's key (never blaming the customer's)", async () => {
    expectConsoleError(/request failed.*"code":"upstream_auth_failed"/); // a refused platform key is our fault, logged as one
    const { key } = await newKeyUser();
    const m = marker();
    await script(openaiFake(), { match: m, status: 401 });
    const e = await expectError(await chat(key, m), 502);
    expect(e.code).toBe("upstream_auth_failed");
  });

  it("times out a hanging provider with 504 and records it", async () => {
    expectConsoleError(/request failed.*"code":"upstream_timeout"/); // the 504 is logged
    const { key, id } = await newKeyUser();
    const m = marker();
    await script(openaiFake(), { match: m, hang: true });
    const started = Date.now();
    const e = await expectError(await chat(key, m), 504);
    expect(e.code).toBe("upstream_timeout");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await usageRows(id, 1))[0]).toMatchObject({ status: 504, cost_micros: 0 });
  });

  it("gives 502 when the connection drops before any answer, after retrying", async () => {
    expectConsoleError(/request failed.*"code":"upstream_unreachable"/); // the 502 is logged
    const { key, id } = await newKeyUser();
    const m = marker();
    await script(openaiFake(), { match: m, destroy: true, times: 3 });
    const e = await expectError(await chat(key, m), 502);
    expect(e.code).toBe("upstream_unreachable");
    expect(await received(openaiFake(), m)).toHaveLength(3);
    expect(await usageRows(id, 1)).toHaveLength(1);
  });

  it("falls back to the next configured model when the first provider keeps failing", async () => {
    const { key, id } = await newKeyUser();
    const m = marker();
    await script(openaiFake(), { match: m, status: 503, times: 3 });
    const res = await call("/v1/chat/completions", {
      key,
      body: { model: "openai/gpt-4o", messages: [{ role: "user", content: m }] },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-model")).toBe("anthropic/claude-3-5-haiku-latest");
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]!.message.content).toBe("Hello from the fake Anthropic provider.");
    expect(await received(anthropicFake(), m)).toHaveLength(1);
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({
      model: "anthropic/claude-3-5-haiku-latest",
      provider: "anthropic",
      status: 200,
    });
  });
});

describe("streams", () => {
  it("delivers each chunk as it arrives, before the provider has finished", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    await script(openaiFake(), { match: m, chunkDelayMs: 250 });
    const started = Date.now();
    const res = await chat(key, m, { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const events = await readEvents(res, started);
    const content = events.filter((e) => e.data.includes('"content":"H'));
    const last = events.at(-1)!;
    expect(last.data).toBe("[DONE]");
    // ~9 events 250 ms apart: the first content arrived long before the end.
    expect(last.at - content[0]!.at).toBeGreaterThan(1_000);
    expect(content[0]!.at).toBeLessThan(800);
  });

  it("ends a stream the provider cut mid-way cleanly, with an error event, and meters what was delivered", async () => {
    const { key, id } = await newKeyUser();
    const m = marker();
    await script(openaiFake(), { match: m, cutAfter: 2 });
    const events = await readEvents(await chat(key, m, { stream: true }), Date.now());
    const text = events
      .filter((e) => e.data.startsWith("{") && e.data.includes("choices"))
      .map((e) => JSON.parse(e.data).choices[0]?.delta?.content ?? "")
      .join("");
    expect(text).toBe("Hello from ");
    expect(JSON.parse(events.at(-1)!.data).error.code).toBe("upstream_stream_cut");
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({
      streamed: 1,
      estimated: 1,
      status: 502,
      output_tokens: Math.ceil("Hello from ".length / 4),
    });
    expect(row!.input_tokens).toBeGreaterThan(0);
    expect(row!.cost_micros).toBeGreaterThan(0);
  });

  it("meters a stream the client abandoned mid-way, and stops reading the provider", async () => {
    const { key, id } = await newKeyUser();
    const m = marker();
    await script(openaiFake(), { match: m, chunkDelayMs: 200 });
    const res = await chat(key, m, { stream: true });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({ streamed: 1, estimated: 1, status: 499 });
  });

  it("keeps the provider's usage when it arrived before the stream was cut", async () => {
    const { key, id } = await newKeyUser();
    const m = marker();
    await script(anthropicFake(), { match: m, cutAfter: 3 });
    const res = await call("/v1/messages", {
      key,
      body: {
        model: "anthropic/claude-3-5-haiku-latest",
        max_tokens: 20,
        stream: true,
        messages: [{ role: "user", content: m }],
      },
    });
    const events = await readEvents(res, Date.now());
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ type: "error" });
    const [row] = await usageRows(id, 1);
    // message_start carried the input tokens; the output is estimated from the three delivered words.
    expect(row).toMatchObject({ estimated: 1, output_tokens: Math.ceil("Hello from the ".length / 4) });
  });
});
