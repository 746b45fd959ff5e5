// Alerts (ADR 091): over the last hour, the error rate, the metering lag's p95 and dead-lettered usage batches
// against their thresholds; the operators are mailed once when an alert starts firing (the promise report's
// once-per-transition rule), not again while it fires, and again only after it cleared and fired anew.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { runAlerts } from "#worker/observability/metrics/alerts";
import { keepLocally } from "#worker/observability/metrics/local-store";
import type { RequestPoint } from "#worker/observability/metrics/point";
import { envWith } from "../support/faults";

const OPERATOR = "operator@example.com";

function point(at: number, status: number, meteringLagMs = 5): RequestPoint {
  return {
    at,
    requestId: crypto.randomUUID(),
    accountRef: "0123456789abcdef",
    keyId: "k",
    model: "dev/echo",
    provider: "dev",
    endpoint: "chat.completions",
    status,
    code: status >= 400 ? "upstream_error" : "",
    fallback: false,
    metered: true,
    latencyMs: 10,
    firstByteMs: 5,
    inputTokens: 1,
    outputTokens: 1,
    costMicros: 1,
    meteringLagMs,
  };
}

async function alertMails() {
  const { results } = await env.DB.prepare(
    `SELECT subject, text FROM notices WHERE kind = 'operator_metrics_alert' AND "to" = ? ORDER BY created_at`,
  )
    .bind(OPERATOR)
    .all<{ subject: string; text: string }>();
  return results;
}

// Each test runs in its own hour far in the future, so the points of other tests do not count.
let base = Date.parse("2030-01-01T00:00:00Z");
beforeEach(async () => {
  base += 10 * 3_600_000;
  await env.DB.prepare("DELETE FROM operator_alerts").run();
});

describe("metrics alerts", () => {
  it("mails once when the error rate crosses its threshold, not on the next tick, and again after it cleared", async () => {
    const alertEnv = envWith({ ALERT_ERROR_RATE: "0.1" } as Partial<Env>);
    const before = (await alertMails()).length;
    for (let i = 0; i < 18; i++) keepLocally(point(base + i, 200));
    for (let i = 0; i < 2; i++) keepLocally(point(base + 100 + i, 502));
    const first = await runAlerts(alertEnv, new Date(base + 60_000));
    expect(first.error_rate).toBe("firing");
    const mails = (await alertMails()).slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain("error rate");
    expect(mails[0]!.text).toContain("10.0 % of 20 requests");

    // Still firing five minutes later: no second mail.
    expect((await runAlerts(alertEnv, new Date(base + 360_000))).error_rate).toBe("firing");
    expect((await alertMails()).slice(before)).toHaveLength(1);

    // Two hours later the hour holds only successes: cleared, no mail; then it fires again: a new mail.
    const later = base + 2 * 3_600_000;
    for (let i = 0; i < 20; i++) keepLocally(point(later + i, 200));
    expect((await runAlerts(alertEnv, new Date(later + 60_000))).error_rate).toBe("ok");
    for (let i = 0; i < 5; i++) keepLocally(point(later + 200 + i, 500));
    expect((await runAlerts(alertEnv, new Date(later + 120_000))).error_rate).toBe("firing");
    expect((await alertMails()).slice(before)).toHaveLength(2);
  });

  it("does not fire on the error rate of a handful of requests", async () => {
    keepLocally(point(base, 500));
    expect((await runAlerts(env, new Date(base + 1_000))).error_rate).toBe("ok");
  });

  it("fires on metering lag and on dead-lettered usage batches", async () => {
    const alertEnv = envWith({ ALERT_METERING_LAG_MS: "1000" } as Partial<Env>);
    const before = (await alertMails()).length;
    for (let i = 0; i < 20; i++) keepLocally(point(base + i, 200, i < 18 ? 10 : 5_000));
    await env.DB.prepare(
      "INSERT INTO usage_dead_letters (id, rows, cost_micros, first_row_at, dead_at) VALUES (?, 3, 30, ?, ?)",
    )
      .bind(crypto.randomUUID(), base, base + 500)
      .run();
    const states = await runAlerts(alertEnv, new Date(base + 60_000));
    expect(states).toEqual({ error_rate: "ok", metering_lag: "firing", dead_letters: "firing" });
    const mails = (await alertMails()).slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain("metering lag p95 5000 ms");
    expect(mails[0]!.text).toContain("1 usage batch dead-lettered");
  });
});
