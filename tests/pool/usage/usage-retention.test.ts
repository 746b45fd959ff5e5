// Bounded usage storage: each usage row counts once in its hour's aggregate, the cron deletes raw rows past
// the retention and rolls their hours into days, and /api/usage reads the aggregates for long ranges.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { purgeOldUsage } from "#worker/usage/retention";
import { call, newUser } from "../support/helpers";
import { seedRequestLog, usageRow } from "../support/request-log";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

function insertRow(accountId: string, createdAt: number, id = crypto.randomUUID(), cost = 100) {
  return env.DB.prepare(
    `INSERT INTO usage_events (id, account_id, key_id, source, endpoint, model, provider, input_tokens,
       output_tokens, cost_micros, latency_ms, status, streamed, estimated, created_at)
     VALUES (?, ?, NULL, 'api', 'chat.completions', 'openai/gpt-4o-mini', 'openai', 10, 5, ?, 3, 200, 0, 0, ?)
     ON CONFLICT DO NOTHING`,
  )
    .bind(id, accountId, cost, createdAt)
    .run();
}

type Row = { group: string; requests: number; costMicros: number; inputTokens: number };
async function usage(cookie: string, query: string): Promise<Row[]> {
  const res = await call(`/api/usage?${query}`, { cookie });
  expect(res.status).toBe(200);
  return ((await res.json()) as { rows: Row[] }).rows;
}
const total = (rows: Row[]) => rows.reduce((t, r) => t + r.requests, 0);

describe("usage aggregates", () => {
  it("count each row once in its hour, however often the same row is inserted", async () => {
    const { id } = await newUser();
    const at = Date.now() - 3 * HOUR_MS;
    const rowId = crypto.randomUUID();
    for (let i = 0; i < 3; i++) await insertRow(id, at, rowId);
    await insertRow(id, at + 1_000);
    const hourly = await env.DB.prepare(
      "SELECT requests, cost_micros, input_tokens FROM usage_hourly WHERE account_id = ?",
    )
      .bind(id)
      .all<{ requests: number; cost_micros: number; input_tokens: number }>();
    expect(hourly.results).toEqual([{ requests: 2, cost_micros: 200, input_tokens: 20 }]);
  });

  it("answer groupBy=hour and long ranges from the aggregates with the raw rows' totals", async () => {
    const { id, cookie } = await newUser();
    const now = Date.now();
    // Metered as the proxy meters (ADR 090): the rows go to the account's object, their sums to usage_hourly.
    await seedRequestLog(
      id,
      Array.from({ length: 30 }, (_, i) =>
        usageRow(id, null, { createdAt: now - (i + 1) * HOUR_MS, costMicros: 100 }),
      ),
    );
    const to = new Date(now + 60_000).toISOString();
    const hours = await usage(
      cookie,
      `groupBy=hour&from=${new Date(now - 24 * HOUR_MS).toISOString()}&to=${to}`,
    );
    expect(hours.every((r) => /^\d{4}-\d\d-\d\dT\d\d:00:00Z$/.test(r.group))).toBe(true);
    expect(total(hours)).toBe(24);
    // 30 days: past the raw-row window, so read from the hourly totals.
    const month = await usage(cookie, `groupBy=model&to=${to}`);
    expect(month).toMatchObject([{ group: "openai/gpt-4o-mini", requests: 30, costMicros: 3_000 }]);
  });
});

describe("usage retention (cron)", () => {
  it("deletes raw rows past USAGE_RETENTION_DAYS and keeps their totals as days", async () => {
    const { id, cookie } = await newUser();
    const now = Date.now();
    for (let d = 0; d < 5; d++) await insertRow(id, now - (100 + d) * DAY_MS);
    await insertRow(id, now - 2 * DAY_MS);
    const range = `groupBy=model&from=${new Date(now - 200 * DAY_MS).toISOString()}&to=${new Date(now).toISOString()}`;
    expect(total(await usage(cookie, range))).toBe(6);

    await purgeOldUsage(env, new Date(now));
    const raw = await env.DB.prepare("SELECT count(*) AS n FROM usage_events WHERE account_id = ?")
      .bind(id)
      .first<{ n: number }>();
    expect(raw!.n).toBe(1);
    const daily = await env.DB.prepare("SELECT sum(requests) AS n FROM usage_daily WHERE account_id = ?")
      .bind(id)
      .first<{ n: number }>();
    expect(daily!.n).toBe(5);
    // The totals a user reads are unchanged, and a second run changes nothing.
    expect(await usage(cookie, range)).toMatchObject([{ requests: 6, costMicros: 600 }]);
    await purgeOldUsage(env, new Date(now));
    expect(await usage(cookie, range)).toMatchObject([{ requests: 6, costMicros: 600 }]);
  });
});
