// Oversize bodies on a served build: every refusal reaches the client as a 413 in its route's dialect, over Node's
// fetch with its pooled keep-alive connections, 100 tries across every route class — the OpenAI dialect
// (/v1/chat/completions, 21.5 MiB, every other one sent chunked without a Content-Length), the Anthropic dialect
// (/v1/messages, 21.5 MiB, and one of 40 MB), /api (300 KiB) and a dashboard form (2 MiB) — and not one reset.
// Every body is built and encoded before the first request: a client that blocks its own event loop for seconds
// while holding an idle pooled connection (building a 40 MB string) outlives workerd's 5 s keep-alive and writes
// into a closed socket — that, not the body's size, was the "one reset in a hundred" (ADR 029). Without the drain,
// half the tries reset. The second test holds the chunked case: without worker/body-limit.ts the rest of the
// body is left unread and the next request on the connection meets ECONNRESET.
import http from "node:http";
import { expect, inject, it } from "vitest";

const base = inject("baseUrl").replace("localhost", "127.0.0.1");

const json = (bytes: number) =>
  JSON.stringify({
    model: "dev/echo",
    max_tokens: 5,
    messages: [{ role: "user", content: "x".repeat(bytes) }],
  });

it("100 oversize bodies over pooled connections: 413s in each route's shape, no reset (ADR 029)", async () => {
  // Built before any request, so the client's loop never stalls between two requests on a pooled connection.
  const ai = Buffer.from(json(21.5 * 1024 * 1024));
  const huge = Buffer.from(json(40_000_000));
  const api = Buffer.from(json(300 * 1024));
  const form = Buffer.from(`name=${"y".repeat(2 * 1024 * 1024)}`);
  const signup = await fetch(`${base}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: `oversize-${Date.now()}@example.com`, password: "a long enough password" }),
  });
  expect(signup.status).toBe(201);
  const cookie = signup.headers.get("set-cookie")!.split(";")[0]!;
  const created = await fetch(`${base}/api/keys`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: base },
    body: JSON.stringify({ name: "oversize" }),
  });
  const { key } = (await created.json()) as { key: string };
  const warm = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: json(10),
  });
  expect(warm.status).toBe(200);
  await warm.arrayBuffer();

  const routes = [
    { path: "/v1/chat/completions", body: ai, headers: { authorization: `Bearer ${key}` }, shape: "openai" },
    {
      path: "/v1/messages",
      body: ai,
      headers: { "x-api-key": key, "anthropic-version": "2023-06-01" },
      shape: "anthropic",
    },
    { path: "/api/keys", body: api, headers: { cookie, origin: base }, shape: "openai" },
    {
      path: "/dashboard/keys",
      body: form,
      headers: { cookie, origin: base, "content-type": "application/x-www-form-urlencoded" },
      shape: "text",
    },
  ] as const;
  const outcomes: string[] = [];
  for (let i = 0; i < 100; i++) {
    const route = routes[i % routes.length]!;
    // One of the Anthropic tries is 40 MB: past the AI API's limit by twice, still within the drained bound.
    const bytes = i === 1 ? huge : route.body;
    // Every other OpenAI-dialect try streams its body: chunked, no Content-Length, refused while it is read.
    const body = i % 8 === 4 ? new Blob([bytes]).stream() : bytes;
    try {
      const res = await fetch(`${base}${route.path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...route.headers },
        body,
        duplex: "half",
      } as RequestInit);
      const text = await res.text();
      let shaped = false;
      if (route.shape === "text") shaped = text === "Request body is too large.";
      else {
        const answer = JSON.parse(text);
        shaped =
          route.shape === "anthropic"
            ? answer.type === "error" && answer.error.type === "request_too_large"
            : answer.error?.code === "body_too_large";
      }
      outcomes.push(`${route.path} ${res.status}${shaped ? "" : " (other shape)"}`);
    } catch (error) {
      outcomes.push(`${route.path} ${(error as { cause?: { code?: string } }).cause?.code ?? "error"}`);
    }
  }
  expect(outcomes).toEqual(outcomes.map((o) => `${o.split(" ")[0]} 413`));
  expect(outcomes).toHaveLength(100);
}, 300_000);

it("a chunked oversize body is read to its end: its 413 arrives and the keep-alive connection is used again", async () => {
  const signup = await fetch(`${base}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: `chunked-${Date.now()}@example.com`, password: "a long enough password" }),
  });
  const cookie = signup.headers.get("set-cookie")!.split(";")[0]!;
  const created = await fetch(`${base}/api/keys`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: base },
    body: JSON.stringify({ name: "chunked" }),
  });
  const { key } = (await created.json()) as { key: string };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const chunk = Buffer.alloc(64 * 1024, 120);
  const send = () =>
    new Promise<string>((resolve) => {
      const req = http.request(new URL("/v1/chat/completions", base), {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      });
      req.on("response", (res) => {
        res.resume();
        res.on("end", () => resolve(`${res.statusCode} ${req.reusedSocket ? "reused" : "new"}`));
      });
      req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      // 21 MiB in 64 KiB writes without a Content-Length: chunked, past the AI API's 20 MiB.
      let sent = 0;
      const write = () => {
        while (sent < 21 * 1024 * 1024) {
          sent += chunk.byteLength;
          if (!req.write(chunk)) return void req.once("drain", write);
        }
        req.end();
      };
      write();
    });
  const answers = [await send(), await send(), await send()];
  agent.destroy();
  // Without worker/body-limit.ts the rest is left unread, workerd closes the connection after the 413, and the
  // next request meets a reset (ECONNRESET, seen) or needs a new connection.
  expect(answers).toEqual(["413 new", "413 reused", "413 reused"]);
}, 120_000);
