// Metrics through Analytics Engine (ADR 091): one data point per API request, written after the response
// (metered requests once their row reached the account's object; refused ones from the access log), read
// back in local mode through the local stand-in — the same points /api/admin/metrics reports per hour.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "#worker/index";
import { accountRef } from "#worker/observability/account-ref";
import { SQL_API_BASE } from "#worker/observability/metrics/analytics-sql";
import { localPoints } from "#worker/observability/metrics/local-store";
import type { RequestPoint } from "#worker/observability/metrics/point";
import { metricsByHour } from "#worker/observability/metrics/query";
import type { MetricsReport } from "#worker/observability/metrics/views";
import { envWith } from "../support/faults";
import { newKeyUser, ORIGIN, operatorSession } from "../support/helpers";

/** One request through the Worker, its body read and its background work (metering, the point) waited for. */
async function send(path: string, init: RequestInit & { key?: string; cookie?: string } = {}) {
  const ctx = createExecutionContext();
  const headers = new Headers(init.headers);
  if (init.key) headers.set("authorization", `Bearer ${init.key}`);
  if (init.cookie) headers.set("cookie", init.cookie);
  if (init.body) headers.set("content-type", "application/json");
  const res = await worker.fetch(new Request(`${ORIGIN}${path}`, { ...init, headers }), env, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, text, headers: res.headers };
}

const MARK = "metrics-marker-7Qz";
const chat = (model: string, stream = false) =>
  JSON.stringify({ model, stream, messages: [{ role: "user", content: `Say ${MARK}` }] });

afterEach(() => vi.restoreAllMocks());

describe("a data point per API request", () => {
  it("is written for metered and refused requests, pseudonymous and without content, email or key", async () => {
    const user = await newKeyUser();
    const ref = await accountRef(env, user.id);
    const written: AnalyticsEngineDataPoint[] = [];
    const write = env.METRICS.writeDataPoint.bind(env.METRICS);
    vi.spyOn(env.METRICS, "writeDataPoint").mockImplementation((point) => {
      written.push(point!);
      write(point);
    });
    const since = Date.now();
    const whole = await send("/v1/chat/completions", {
      method: "POST",
      key: user.key,
      body: chat("dev/echo"),
    });
    const streamed = await send("/v1/chat/completions", {
      method: "POST",
      key: user.key,
      body: chat("dev/echo", true),
    });
    const unknown = await send("/v1/chat/completions", {
      method: "POST",
      key: user.key,
      body: chat("nobody/no-such-model"),
    });
    expect([whole.status, streamed.status, unknown.status]).toEqual([200, 200, 404]);

    const mine = localPoints(since, Date.now() + 1).filter((p) => p.accountRef === ref);
    const byId = (id: string | null) => mine.find((p) => p.requestId === id);
    const ok = byId(whole.headers.get("x-request-id"));
    expect(ok).toMatchObject({
      keyId: user.keyId,
      model: "dev/echo",
      provider: "dev",
      status: 200,
      code: "",
      metered: true,
      fallback: false,
    } satisfies Partial<RequestPoint>);
    expect(ok!.inputTokens).toBeGreaterThan(0);
    expect(ok!.outputTokens).toBeGreaterThan(0);
    expect(ok!.firstByteMs).toBeLessThanOrEqual(ok!.latencyMs);
    expect(byId(streamed.headers.get("x-request-id"))).toMatchObject({ status: 200, metered: true });
    expect(byId(unknown.headers.get("x-request-id"))).toMatchObject({
      status: 404,
      code: "model_not_found",
      metered: false,
      provider: "none",
      keyId: user.keyId,
    });
    expect(mine).toHaveLength(3);

    // What reached Analytics Engine: the same three points, indexed by the pseudonym, nothing identifying.
    const ours = written.filter((p) => p.indexes?.[0] === ref);
    expect(ours).toHaveLength(3);
    const text = JSON.stringify(ours);
    for (const secret of [MARK, user.email, user.key, user.id]) expect(text).not.toContain(secret);
  });
});

describe("GET /api/admin/metrics", () => {
  it("reports the hour's requests, errors by code and provider, latency, first byte and metering lag", async () => {
    const user = await newKeyUser();
    const op = await operatorSession();
    const from = new Date(Date.now() - 60_000).toISOString();
    for (let i = 0; i < 3; i++)
      await send("/v1/chat/completions", { method: "POST", key: user.key, body: chat("dev/echo") });
    await send("/v1/chat/completions", { method: "POST", key: user.key, body: chat("nobody/none") });
    await send("/v1/chat/completions", {
      method: "POST",
      key: "sk-not-a-real-key-000000",
      body: chat("dev/echo"),
    });
    const to = new Date(Date.now() + 1).toISOString();

    const res = await send(`/api/admin/metrics?from=${from}&to=${to}&groupBy=hour`, { cookie: op.cookie });
    expect(res.status).toBe(200);
    const report = JSON.parse(res.text) as MetricsReport;
    expect(report.source).toBe("local");
    const requests = report.hours.reduce((n, h) => n + h.requests, 0);
    const errors = report.hours.flatMap((h) => h.errorsByCode);
    // Other tests in this file may have sent requests in the same minute: count at least ours.
    expect(requests).toBeGreaterThanOrEqual(5);
    const count = (code: string) => errors.filter((e) => e.code === code).reduce((n, e) => n + e.count, 0);
    expect(count("model_not_found")).toBeGreaterThanOrEqual(1);
    expect(count("invalid_api_key")).toBeGreaterThanOrEqual(1);
    const busiest = report.hours.find((h) => h.requests > 0)!;
    expect(busiest.errorsByProvider.map((e) => e.provider)).toContain("none");
    expect(busiest.latencyMs.p95).toBeGreaterThanOrEqual(busiest.latencyMs.p50);
    expect(busiest.firstByteMs.p95).toBeGreaterThanOrEqual(busiest.firstByteMs.p50);
    expect(busiest.meteringLagMs.p95).toBeGreaterThan(0);
    expect(busiest.errorRate).toBeCloseTo(busiest.errors / busiest.requests);
  });

  it("is for operators only, and refuses a bad range with a 400", async () => {
    const user = await newKeyUser();
    expect((await send("/api/admin/metrics", { cookie: user.cookie })).status).toBe(403);
    const op = await operatorSession();
    const backwards = await send("/api/admin/metrics?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", {
      cookie: op.cookie,
    });
    expect(backwards.status).toBe(400);
    expect((await send("/api/admin/metrics?groupBy=day", { cookie: op.cookie })).status).toBe(400);
    const tooLong = await send("/api/admin/metrics?from=2026-01-01T00:00:00Z&to=2026-01-09T00:00:00Z", {
      cookie: op.cookie,
    });
    expect(tooLong.status).toBe(400);
  });

  it("reads Analytics Engine's SQL API in production, with the token, and shapes the same report", async () => {
    const prod = envWith({
      LOCAL_MODE: "false",
      ANALYTICS_ACCOUNT_ID: "acc123",
      ANALYTICS_API_TOKEN: "tok-analytics",
    } as Partial<Env>);
    const hour = "2026-12-06 10:00:00";
    const queries: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      expect(url).toBe(`${SQL_API_BASE.url}/accounts/acc123/analytics_engine/sql`);
      expect(new Headers(init?.headers).get("authorization")).toBe("Bearer tok-analytics");
      const sql = String(init?.body);
      queries.push(sql);
      const data = sql.includes("sumIf")
        ? [{ hour, requests: "200", errors: "10", lat50: 40, lat95: 900, fb50: 30, fb95: 300 }]
        : sql.includes("GROUP BY hour, code, provider")
          ? [
              { hour, code: "upstream_timeout", provider: "openai", count: "6" },
              { hour, code: "rate_limit_exceeded", provider: "none", count: "4" },
            ]
          : [{ hour, lag50: 25, lag95: 120 }];
      return Response.json({ data });
    });
    const from = Date.parse("2026-12-06T10:00:00Z");
    const report = await metricsByHour(prod, from, from + 3_600_000);
    expect(report.source).toBe("analytics_engine");
    expect(queries.every((q) => q.includes("FROM botmara_requests") && q.endsWith("FORMAT JSON"))).toBe(true);
    expect(report.hours).toEqual([
      {
        hour: "2026-12-06T10:00:00.000Z",
        requests: 200,
        requestsPerSecond: 200 / 3600,
        errors: 10,
        errorRate: 0.05,
        errorsByCode: [
          { code: "upstream_timeout", count: 6 },
          { code: "rate_limit_exceeded", count: 4 },
        ],
        errorsByProvider: [
          { provider: "openai", count: 6 },
          { provider: "none", count: 4 },
        ],
        latencyMs: { p50: 40, p95: 900 },
        firstByteMs: { p50: 30, p95: 300 },
        meteringLagMs: { p50: 25, p95: 120 },
        deadLetters: { batches: 0, rows: 0 },
      },
    ]);
  });
});
