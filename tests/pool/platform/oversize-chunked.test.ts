// An oversize body sent without a Content-Length (chunked, as Node's fetch sends a stream): the limit is found
// while reading, and the answer is still the route's 413 — never a 500 — with the rest of the body read and
// discarded (worker/body-limit.ts, docs/decisions/029-dialects-request-ids-and-forward-compatibility.md).
import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

import { newKeyUser, newUser, ORIGIN } from "../support/helpers";

/** A body of `bytes` bytes in 64 KiB chunks, counting how much of it was read. */
function chunked(bytes: number) {
  const chunk = new Uint8Array(64 * 1024).fill(120);
  let sent = 0;
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const part = chunk.subarray(0, Math.min(chunk.byteLength, bytes - sent));
      sent += part.byteLength;
      state.pulled = sent;
      controller.enqueue(part);
    },
  });
  return { stream, state };
}

it("an AI API body past the limit without a Content-Length gets a 413 and is read to its end", async () => {
  const { key } = await newKeyUser();
  const body = chunked(21 * 1024 * 1024);
  const res = await exports.default.fetch(
    new Request(`${ORIGIN}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: body.stream,
      duplex: "half",
    } as RequestInit),
  );
  const answer = (await res.json()) as { error: { code: string } };
  expect([res.status, answer.error.code]).toEqual([413, "body_too_large"]);
  expect(body.state.pulled).toBe(21 * 1024 * 1024);
});

it("an Anthropic-dialect body past the limit without a Content-Length gets Anthropic's 413", async () => {
  const { key } = await newKeyUser();
  const res = await exports.default.fetch(
    new Request(`${ORIGIN}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key, "anthropic-version": "2023-06-01" },
      body: chunked(21 * 1024 * 1024).stream,
      duplex: "half",
    } as RequestInit),
  );
  const answer = (await res.json()) as { type: string; error: { type: string } };
  expect([res.status, answer.type, answer.error.type]).toEqual([413, "error", "request_too_large"]);
});

it("an /api body past its limit without a Content-Length gets a 413", async () => {
  const { cookie } = await newUser();
  const res = await exports.default.fetch(
    new Request(`${ORIGIN}/api/keys`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, origin: ORIGIN },
      body: chunked(2 * 1024 * 1024).stream,
      duplex: "half",
    } as RequestInit),
  );
  const answer = (await res.json()) as { error: { code: string } };
  expect([res.status, answer.error.code]).toEqual([413, "body_too_large"]);
});
