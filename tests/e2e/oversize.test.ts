// An oversize body always reaches its client as a 413 in the route's dialect, never as a connection reset: the
// served build reads and discards the unread body (up to 64 MiB, worker/drain-body.ts) before answering. Node's
// fetch (undici, keep-alive connections), 100 tries over every route class, bodies past each class's limit —
// the AI API's past the old 21 MiB drain bound, one of them 40 MB.
import { expect, inject, it } from "vitest";
import { signUp } from "./sign-up";

const baseUrl = inject("baseUrl").replace("localhost", "127.0.0.1");
const MiB = 1024 * 1024;

type RouteClass = {
  path: string;
  bytes: number;
  /** What the 413's body must be, in the route's dialect. */
  check: (res: Response) => Promise<void>;
};

const openaiShape = async (res: Response) => {
  const body = (await res.json()) as { error: { code: string; type: string; message: string } };
  expect(body.error).toMatchObject({ code: "body_too_large", message: "Request body is too large." });
};
const anthropicShape = async (res: Response) => {
  const body = (await res.json()) as { type: string; error: { type: string } };
  expect(body).toMatchObject({ type: "error", error: { type: "request_too_large" } });
};
const page = async (res: Response) => {
  expect(await res.text()).toBe("Request body is too large.");
};

/** A JSON-looking body of `bytes` bytes (content-length set by fetch). */
const body = (bytes: number) => `{"model":"dev/echo","messages":[{"role":"user","content":"${"x".repeat(bytes - 60)}"}]}`;

it("answers 100 oversize bodies on every route class with a 413 in the route's dialect, never a reset", async () => {
  const { cookieHeader } = await signUp(baseUrl, `oversize-${Date.now()}@example.com`);
  const created = await fetch(`${baseUrl}/api/keys`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: cookieHeader, origin: baseUrl },
    body: JSON.stringify({ name: "oversize" }),
  });
  expect(created.status).toBe(201);
  const { key } = (await created.json()) as { key: string };

  const classes: RouteClass[] = [
    { path: "/v1/chat/completions", bytes: 24 * MiB, check: openaiShape },
    { path: "/v1/messages", bytes: 24 * MiB, check: anthropicShape },
    { path: "/v1/responses", bytes: 22 * MiB, check: openaiShape },
    { path: "/api/keys", bytes: 1 * MiB, check: openaiShape },
    { path: "/webhooks/stripe", bytes: 1 * MiB, check: openaiShape },
    { path: "/webhooks/whatsapp", bytes: 4 * MiB, check: openaiShape },
    { path: "/login", bytes: 1 * MiB, check: page },
  ];
  const bodies = new Map(classes.map((c) => [c.bytes, body(c.bytes)]));
  const failures: string[] = [];
  for (let i = 0; i < 100; i++) {
    const route = classes[i % classes.length]!;
    // One of the AI API's tries is 40 MB, as in the report that found the resets.
    const text = i === 0 ? body(40_000_000) : bodies.get(route.bytes)!;
    try {
      const res = await fetch(`${baseUrl}${route.path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${key}`,
          "x-api-key": key,
          "anthropic-version": "2023-06-01",
          cookie: cookieHeader,
          origin: baseUrl,
        },
        body: text,
      });
      if (res.status !== 413) failures.push(`${route.path}: ${res.status}`);
      else await route.check(res);
    } catch (error) {
      failures.push(`${route.path}: ${(error as Error & { cause?: { code?: string } }).cause?.code ?? error}`);
    }
  }
  expect(failures).toEqual([]);
});
