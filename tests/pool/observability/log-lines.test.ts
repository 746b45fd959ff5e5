// Logs an operator can search (ADR 091): a realistic journey — sign up, a key, chat whole and streamed,
// messages, embeddings, an unknown model, a wrong key, the request log with filters in its query string, a
// revoked key — with every successful request logged (ACCESS_LOG_SAMPLE_RATE=1). Every captured line is
// read: each request line carries the request id, the account's pseudonymous reference and (for an API
// request) the key's id; no line carries the content, the email, the key, the password or a query string.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import worker from "#worker/index";
import { accountRef } from "#worker/observability/account-ref";
import { envWith } from "../support/faults";
import { cookieFrom, ORIGIN, PASSWORD, testAddress, uniqueEmail } from "../support/helpers";

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug"] as const;
let spies: MockInstance[] = [];
let printed: string[] = [];
beforeEach(() => {
  printed = [];
  spies = CONSOLE_METHODS.map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(" "));
    }),
  );
});
afterEach(() => {
  for (const spy of spies) spy.mockRestore();
});

const env = envWith({ ACCESS_LOG_SAMPLE_RATE: "1" } as Partial<Env>);
const MARK = "journey-content-Zq81x";
const QUERY_MARK = "qmark-77Hf";

async function send(
  path: string,
  init: { method?: string; body?: unknown; key?: string; cookie?: string } = {},
) {
  const headers: Record<string, string> = { "cf-connecting-ip": testAddress() };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.cookie) Object.assign(headers, { cookie: init.cookie, origin: ORIGIN });
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${ORIGIN}${path}`, {
      method: init.method ?? (init.body !== undefined ? "POST" : "GET"),
      headers,
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    }),
    env,
    ctx,
  );
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { res, text };
}

describe("every log line of a journey", () => {
  it("carries request id, account reference and key id, and never content, email, key, secret or query", async () => {
    const email = uniqueEmail("journey");
    const signup = await send("/api/auth/signup", { body: { email, password: PASSWORD } });
    expect(signup.res.status).toBe(201);
    const cookie = cookieFrom(signup.res);
    const { account } = JSON.parse(signup.text) as { account: { id: string } };
    const created = await send("/api/keys", { body: { name: "journey" }, cookie });
    const { key, id: keyId } = JSON.parse(created.text) as { key: string; id: string };
    const messages = [{ role: "user", content: `Please repeat ${MARK}` }];

    const apiCalls: [string, unknown, number][] = [
      ["/v1/chat/completions", { model: "dev/echo", messages }, 200],
      ["/v1/chat/completions", { model: "dev/echo", messages, stream: true }, 200],
      ["/v1/messages", { model: "dev/echo", max_tokens: 64, messages }, 200],
      ["/v1/embeddings", { model: "dev/embed", input: `Embed ${MARK}` }, 200],
      ["/v1/chat/completions", { model: `nobody/${MARK}`, messages }, 404],
    ];
    const apiIds: string[] = [];
    for (const [path, body, status] of apiCalls) {
      const { res } = await send(path, { body, key });
      expect(res.status, path).toBe(status);
      apiIds.push(res.headers.get("x-request-id")!);
    }
    const wrongKey = await send("/v1/chat/completions", {
      body: { model: "dev/echo", messages },
      key: `${key.slice(0, -4)}XXXX`,
    });
    expect(wrongKey.res.status).toBe(401);
    const log = await send(`/api/requests?model=${QUERY_MARK}&status=error&limit=5`, { cookie });
    expect(log.res.status).toBe(200);
    const bad = await send(`/api/usage?groupBy=${QUERY_MARK}`, { cookie });
    expect(bad.res.status).toBe(400);
    expect((await send(`/api/keys/${keyId}`, { method: "DELETE", cookie })).res.status).toBeLessThan(300);
    const revoked = await send("/v1/chat/completions", { body: { model: "dev/echo", messages }, key });
    expect(revoked.res.status).toBe(401);

    const lines = printed.flatMap((p) => p.split("\n")).filter(Boolean);
    expect(lines.length).toBeGreaterThan(apiCalls.length);
    // Nothing it was given reaches any line: content, the address, the key, the password, a query string.
    for (const line of lines) {
      for (const secret of [MARK, QUERY_MARK, email, key, key.slice(-12), PASSWORD, account.id, "?"])
        expect(line, `a line carries ${secret}`).not.toContain(secret);
    }
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requestLines = parsed.filter((l) => /^request (served|refused|failed)$/.test(String(l.msg)));
    // Every request of the journey but the wrong key's is one line with its request id.
    expect(requestLines.length).toBeGreaterThanOrEqual(apiCalls.length + 6);
    for (const l of requestLines) expect(l.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const ref = await accountRef(env, account.id);
    for (const id of apiIds) {
      const line = requestLines.find((l) => l.requestId === id);
      expect(line, id).toMatchObject({ accountRef: ref, keyId });
    }
    // The dashboard's own calls (a session, no key) carry the reference; the wrong key's carries neither.
    const sessionLines = requestLines.filter((l) => String(l.route).startsWith("/api/"));
    expect(sessionLines.length).toBeGreaterThanOrEqual(3);
    for (const l of sessionLines.filter((l) => l.route !== "/api/auth/signup"))
      expect(l.accountRef).toBe(ref);
    const anonymous = requestLines.find((l) => l.requestId === wrongKey.res.headers.get("x-request-id"));
    expect(anonymous).toMatchObject({ status: 401, code: "invalid_api_key" });
    expect(anonymous).not.toHaveProperty("accountRef");
  });
});
