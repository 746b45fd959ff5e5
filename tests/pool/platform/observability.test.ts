// Operators' view: one JSON log line per refused (4xx, no stack) or failed (5xx, name + first frame) request,
// never the bound parameters of a failing query; GET /api/health (liveness, no binding call) and
// GET /api/health/deep over D1, R2 and the Durable Object, for operators or the health token.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import worker from "#worker/index";
import { checkHealth, healthChecks } from "#worker/observability/health";
import { call, expectError, newUser, ORIGIN, operatorSession } from "../support/helpers";

let lines: { method: string; text: string }[] = [];
let spies: MockInstance[] = [];
beforeEach(() => {
  lines = [];
  spies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      lines.push({ method: m, text: args.map(String).join(" ") });
    }),
  );
});
afterEach(() => {
  for (const spy of spies) spy.mockRestore();
});

async function fetchWith(target: Env, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${ORIGIN}${path}`, init), target, ctx);
  await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return res;
}

/** A D1 binding whose every query fails the way D1 does, so drizzle wraps it with the query and its params. */
function failingDb(): D1Database {
  const fail = () => Promise.reject(new Error("D1_ERROR: database is locked: SQLITE_BUSY"));
  const statement = { bind: () => statement, run: fail, all: fail, raw: fail, first: fail };
  return { prepare: () => statement, batch: fail, exec: fail } as unknown as D1Database;
}

describe("the request log", () => {
  it("writes one warn line for a 404, with route, status and request id, and no stack", async () => {
    const res = await call("/api/nothing-here?token=abc123&email=x%40example.com");
    expect(res.status).toBe(404);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line!.method).toBe("warn");
    expect(line!.text.split("\n")).toHaveLength(1);
    const parsed = JSON.parse(line!.text);
    expect(parsed).toMatchObject({ level: "warn", method: "GET", status: 404, code: "not_found" });
    expect(parsed.requestId).toBe(res.headers.get("x-request-id"));
    expect(parsed.route).toBe("/api/*"); // the pattern that matched, never the raw path
    expect(typeof parsed.durationMs).toBe("number");
    expect(parsed).not.toHaveProperty("error");
    expect(line!.text).not.toMatch(/token|example\.com|\bat /);
  });

  it("uses cf-ray as the request id when Cloudflare sent one, with ours beside it", async () => {
    const res = await call("/api/nope", { headers: { "cf-ray": "8f1c2a3b4c5d6e7f-LHR" } });
    expect(res.status).toBe(404);
    const parsed = JSON.parse(lines[0]!.text);
    expect(parsed.requestId).toBe("8f1c2a3b4c5d6e7f-LHR");
    expect(parsed.xRequestId).toBe(res.headers.get("x-request-id"));
  });

  it("logs a failing query as its error name and first frame: not the email or address it was bound to", async () => {
    const email = "leaky.person@example.com";
    const res = await fetchWith({ ...env, DB: failingDb() } as Env, "/api/auth/signup", {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": "198.51.100.7" },
      body: JSON.stringify({ email, password: "a long enough password" }),
    });
    expect(res.status).toBe(500);
    const errors = lines.filter((l) => l.method === "error");
    expect(errors).toHaveLength(1);
    const parsed = JSON.parse(errors[0]!.text);
    expect(parsed).toMatchObject({ level: "error", route: "/api/auth/signup", status: 500, method: "POST" });
    expect(parsed.error.name).toBe("DrizzleQueryError");
    expect(parsed.error.frame).toMatch(/^at /);
    const all = lines.map((l) => l.text).join("\n");
    expect(all).not.toContain(email);
    expect(all).not.toContain("leaky");
    expect(all).not.toContain("198.51.100.7");
    expect(all).not.toContain("params");
  });
});

const TOKEN = "health-token-for-tests-0123456789";
const withToken = { ...env, HEALTH_TOKEN: TOKEN } as Env;
const bearer = { authorization: `Bearer ${TOKEN}` };

describe("GET /api/health", () => {
  it("answers 200 {status:ok} with no binding call, cacheable for a few seconds, cookie or not", async () => {
    const { cookie } = await newUser();
    // Bindings that throw on any use: liveness must not touch one, nor read the session.
    const untouchable = new Proxy(
      {},
      {
        get: () => {
          throw new Error("binding called");
        },
      },
    );
    const bare = { ...env, DB: untouchable, CONTENT: untouchable, ACCOUNT: untouchable } as unknown as Env;
    for (const headers of [{}, { cookie }] as Record<string, string>[]) {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`${ORIGIN}/api/health`, { headers }), bare, ctx);
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=5");
      expect(await res.json()).toEqual({ status: "ok" });
    }
    expect(lines).toEqual([]);
  });
});

describe("GET /api/health/deep", () => {
  it("answers each binding's check and latency to the health token, uncached", async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${ORIGIN}/api/health/deep`, { headers: bearer }),
      withToken,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as {
      status: string;
      checks: Record<string, { ok: boolean; latencyMs: number }>;
    };
    expect(body.status).toBe("ok");
    expect(Object.keys(body.checks)).toEqual(["d1", "r2", "durableObject", "privacyPromises"]);
    for (const check of Object.values(body.checks)) {
      expect(check.ok).toBe(true);
      expect(Number.isInteger(check.latencyMs)).toBe(true);
    }
  });

  it("answers an operator's session, and refuses anyone else — a wrong token, a customer, no token set", async () => {
    const operator = await operatorSession();
    expect((await call("/api/health/deep", { cookie: operator.cookie })).status).toBe(200);
    const customer = await newUser();
    const refused = [
      await fetchWith(withToken, "/api/health/deep", { headers: { authorization: "Bearer wrong" } }),
      await fetchWith(withToken, "/api/health/deep"),
      await fetchWith(env, "/api/health/deep", { headers: bearer }),
    ];
    for (const res of refused) expect(res.status).toBe(401);
    await expectError(await call("/api/health/deep", { cookie: customer.cookie }), 401);
  });

  it("answers 503 naming the failing check when D1 is down", async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${ORIGIN}/api/health/deep`, { headers: bearer }),
      { ...withToken, DB: failingDb() } as Env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(body.status).toBe("failing");
    expect(body.checks.d1!.ok).toBe(false);
    expect(body.checks.r2!.ok).toBe(true);
    expect(body.checks.durableObject!.ok).toBe(true);
  });

  it("is a list of checks another capability extends with one entry", async () => {
    const health = await checkHealth(env, [
      ...healthChecks,
      { name: "extra", run: () => Promise.reject(new Error("x")) },
    ]);
    expect(health.status).toBe("failing");
    expect(health.checks.extra!.ok).toBe(false);
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await (await call("/api/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(doc.paths).toHaveProperty("/api/health");
    expect(doc.paths).toHaveProperty("/api/health/deep");
  });
});
