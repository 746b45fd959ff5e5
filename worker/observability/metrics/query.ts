// The metrics per hour, from one of two sources (ADR 091): Analytics Engine's SQL API in production, the local
// stand-in (local-store.ts) in local mode — both reduced to the same cells, so one function shapes the report.
// Dead-lettered usage batches come from D1 (usage_dead_letters), where the queue's consumer counts them.
import { getConfig } from "../../config";
import { HOUR_MS } from "../../time";
import { analyticsSql, fromSqlTime, type SqlApi, sqlTime } from "./analytics-sql";
import { localPoints } from "./local-store";
import { COLUMNS as C, type RequestPoint } from "./point";
import { quantile } from "./quantile";
import type { HourMetrics, MetricsReport, MetricsSource } from "./views";

type Percentiles = { p50: number; p95: number };
type HourCell = {
  hour: number;
  requests: number;
  errors: number;
  latency: Percentiles;
  firstByte: Percentiles;
};
type ErrorCell = { hour: number; code: string; provider: string; count: number };
type LagCell = { hour: number; lag: Percentiles };

/** Requests count as errors from 400 up (a client that hung up mid-stream is 499). */
const ERROR_FROM = 400;
const hourOf = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** Where the metrics are read from in this configuration. */
export function metricsSource(env: Env): MetricsSource {
  const config = getConfig(env);
  if (config.localMode) return "local";
  return config.metrics.sqlApi ? "analytics_engine" : "unconfigured";
}

function fromLocal(from: number, to: number) {
  const byHour = new Map<number, RequestPoint[]>();
  for (const p of localPoints(from, to)) {
    const hour = hourOf(p.at);
    byHour.set(hour, [...(byHour.get(hour) ?? []), p]);
  }
  const hours: HourCell[] = [];
  const errors = new Map<string, ErrorCell>();
  const lags: LagCell[] = [];
  for (const [hour, points] of byHour) {
    const failed = points.filter((p) => p.status >= ERROR_FROM);
    const latencies = points.map((p) => p.latencyMs);
    const firstBytes = points.map((p) => p.firstByteMs);
    hours.push({
      hour,
      requests: points.length,
      errors: failed.length,
      latency: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95) },
      firstByte: { p50: quantile(firstBytes, 0.5), p95: quantile(firstBytes, 0.95) },
    });
    for (const p of failed) {
      const key = `${hour}|${p.code}|${p.provider}`;
      const cell = errors.get(key) ?? { hour, code: p.code, provider: p.provider, count: 0 };
      cell.count += 1;
      errors.set(key, cell);
    }
    const lag = points.filter((p) => p.metered).map((p) => p.meteringLagMs);
    if (lag.length) lags.push({ hour, lag: { p50: quantile(lag, 0.5), p95: quantile(lag, 0.95) } });
  }
  return { hours, errors: [...errors.values()], lags };
}

/** Three small queries, each grouped by hour; `_sample_interval` weighs each stored point by what it stands for. */
async function fromAnalyticsEngine(api: SqlApi, dataset: string, from: number, to: number) {
  const where = `timestamp >= ${sqlTime(from)} AND timestamp < ${sqlTime(to)}`;
  const hour = "toStartOfInterval(timestamp, INTERVAL '1' HOUR) AS hour";
  const q = (level: number, column: string) => `quantileExactWeighted(${level})(${column}, _sample_interval)`;
  type Row = Record<string, string | number>;
  const [hours, errors, lags] = await Promise.all([
    analyticsSql<Row>(
      api,
      `SELECT ${hour}, SUM(_sample_interval) AS requests, sumIf(_sample_interval, ${C.status} >= ${ERROR_FROM}) AS errors,
       ${q(0.5, C.latencyMs)} AS lat50, ${q(0.95, C.latencyMs)} AS lat95,
       ${q(0.5, C.firstByteMs)} AS fb50, ${q(0.95, C.firstByteMs)} AS fb95
       FROM ${dataset} WHERE ${where} GROUP BY hour ORDER BY hour`,
    ),
    analyticsSql<Row>(
      api,
      `SELECT ${hour}, ${C.code} AS code, ${C.provider} AS provider, SUM(_sample_interval) AS count
       FROM ${dataset} WHERE ${where} AND ${C.status} >= ${ERROR_FROM} GROUP BY hour, code, provider`,
    ),
    analyticsSql<Row>(
      api,
      `SELECT ${hour}, ${q(0.5, C.meteringLagMs)} AS lag50, ${q(0.95, C.meteringLagMs)} AS lag95
       FROM ${dataset} WHERE ${where} AND ${C.metered} = '1' GROUP BY hour`,
    ),
  ]);
  const at = (r: Row) => fromSqlTime(String(r.hour));
  return {
    hours: hours.map(
      (r): HourCell => ({
        hour: at(r),
        requests: Number(r.requests),
        errors: Number(r.errors),
        latency: { p50: Number(r.lat50), p95: Number(r.lat95) },
        firstByte: { p50: Number(r.fb50), p95: Number(r.fb95) },
      }),
    ),
    errors: errors.map(
      (r): ErrorCell => ({
        hour: at(r),
        code: String(r.code),
        provider: String(r.provider),
        count: Number(r.count),
      }),
    ),
    lags: lags.map((r): LagCell => ({ hour: at(r), lag: { p50: Number(r.lag50), p95: Number(r.lag95) } })),
  };
}

async function deadLettersByHour(env: Env, from: number, to: number) {
  const { results } = await env.DB.prepare(
    `SELECT (dead_at / ${HOUR_MS}) * ${HOUR_MS} AS hour, count(*) AS batches, sum(rows) AS rows
     FROM usage_dead_letters WHERE dead_at >= ? AND dead_at < ? GROUP BY 1`,
  )
    .bind(from, to)
    .all<{ hour: number; batches: number; rows: number }>();
  return new Map(results.map((r) => [r.hour, { batches: r.batches, rows: r.rows }]));
}

function tally<K extends "code" | "provider">(cells: ErrorCell[], by: K) {
  const counts = new Map<string, number>();
  for (const c of cells) counts.set(c[by], (counts.get(c[by]) ?? 0) + c.count);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, count]) => ({ [by]: name || "(none)", count }) as { [P in K]: string } & { count: number });
}

/** Every hour of [from, to) with its metrics (hours with no traffic show zeros), oldest first. */
export async function metricsByHour(env: Env, from: number, to: number): Promise<MetricsReport> {
  const source = metricsSource(env);
  const config = getConfig(env);
  const cells =
    source === "local"
      ? fromLocal(from, to)
      : source === "analytics_engine"
        ? await fromAnalyticsEngine(config.metrics.sqlApi!, config.metrics.dataset, from, to)
        : { hours: [], errors: [], lags: [] };
  const dead = await deadLettersByHour(env, from, to);
  const zero = { p50: 0, p95: 0 };
  const hours: HourMetrics[] = [];
  for (let hour = hourOf(from); hour < to; hour += HOUR_MS) {
    const cell = cells.hours.find((h) => h.hour === hour);
    const errors = cells.errors.filter((e) => e.hour === hour);
    const requests = cell?.requests ?? 0;
    hours.push({
      hour: new Date(hour).toISOString(),
      requests,
      requestsPerSecond: requests / (HOUR_MS / 1000),
      errors: cell?.errors ?? 0,
      errorRate: requests ? (cell?.errors ?? 0) / requests : 0,
      errorsByCode: tally(errors, "code"),
      errorsByProvider: tally(errors, "provider"),
      latencyMs: cell?.latency ?? zero,
      firstByteMs: cell?.firstByte ?? zero,
      meteringLagMs: cells.lags.find((l) => l.hour === hour)?.lag ?? zero,
      deadLetters: dead.get(hour) ?? { batches: 0, rows: 0 },
    });
  }
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    groupBy: "hour",
    source,
    hours,
  };
}
