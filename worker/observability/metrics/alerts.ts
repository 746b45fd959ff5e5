// Alerts on the metrics (cron, ADR 091): over the last hour, the API error rate, the metering lag's 95th
// percentile and the usage batches dead-lettered, each against its threshold (ALERT_ERROR_RATE,
// ALERT_METERING_LAG_MS, ALERT_DEAD_LETTERS). Each alert's state is recorded in D1 in one statement that also
// says whether it changed now — the promise report's rule — so the operators are mailed once when an alert
// starts firing, not on every tick while it fires, and two overlapping runs cannot both send it.
import type { AlertState } from "../../../db/schema";
import { getConfig } from "../../config";
import { sha256Hex } from "../../crypto/encoding";
import { sendNotice } from "../../notices/send";
import { HOUR_MS } from "../../time";
import { metricsByHour } from "./query";

/** Fewer API requests than this in the hour: the error rate says too little to alert on. */
export const MIN_REQUESTS_FOR_ERROR_RATE = 20;

export type AlertId = "error_rate" | "metering_lag" | "dead_letters";
type Reading = { id: AlertId; value: number; threshold: number; firing: boolean; text: string };

/** The last hour's readings, each against its threshold. */
export async function readAlerts(env: Env, now: number): Promise<Reading[]> {
  const { alerts } = getConfig(env).metrics;
  const { hours } = await metricsByHour(env, now - HOUR_MS, now);
  const requests = hours.reduce((n, h) => n + h.requests, 0);
  const errors = hours.reduce((n, h) => n + h.errors, 0);
  const rate = requests ? errors / requests : 0;
  const lag = Math.max(0, ...hours.map((h) => h.meteringLagMs.p95));
  const dead = hours.reduce((n, h) => n + h.deadLetters.batches, 0);
  const percent = (x: number) => `${(x * 100).toFixed(1)} %`;
  return [
    {
      id: "error_rate",
      value: rate,
      threshold: alerts.errorRate,
      firing: requests >= MIN_REQUESTS_FOR_ERROR_RATE && rate >= alerts.errorRate,
      text: `API error rate ${percent(rate)} of ${requests} requests (threshold ${percent(alerts.errorRate)})`,
    },
    {
      id: "metering_lag",
      value: lag,
      threshold: alerts.meteringLagMs,
      firing: lag >= alerts.meteringLagMs,
      text: `metering lag p95 ${Math.round(lag)} ms (threshold ${alerts.meteringLagMs} ms)`,
    },
    {
      id: "dead_letters",
      value: dead,
      threshold: alerts.deadLetters,
      firing: dead >= alerts.deadLetters,
      text: `${dead} usage batch${dead === 1 ? "" : "es"} dead-lettered (threshold ${alerts.deadLetters})`,
    },
  ];
}

/** Records each alert's state; mails the operators about those that turned firing in this run. */
export async function runAlerts(env: Env, now: Date): Promise<Record<AlertId, AlertState>> {
  const readings = await readAlerts(env, now.getTime());
  const turned: Reading[] = [];
  const out = {} as Record<AlertId, AlertState>;
  for (const r of readings) {
    const state: AlertState = r.firing ? "firing" : "ok";
    const recorded = await env.DB.prepare(
      `INSERT INTO operator_alerts (id, state, value, threshold, ran_at, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
       ON CONFLICT (id) DO UPDATE SET state = ?2, value = ?3, threshold = ?4, ran_at = ?5,
         changed_at = CASE WHEN operator_alerts.state = ?2 THEN operator_alerts.changed_at ELSE ?5 END
       RETURNING changed_at`,
    )
      .bind(r.id, state, r.value, r.threshold, now.getTime())
      .first<{ changed_at: number }>();
    if (r.firing && recorded?.changed_at === now.getTime()) turned.push(r);
    out[r.id] = state;
  }
  if (turned.length) await tellOperators(env, turned, now);
  return out;
}

/** One notice per operator per run; numbers and thresholds only, never an account. Keyed by the run. */
async function tellOperators(env: Env, turned: Reading[], now: Date): Promise<void> {
  const lines = turned.map((r) => `- ${r.id}: ${r.text}`).join("\n");
  for (const to of getConfig(env).adminEmails) {
    await sendNotice(env, {
      to,
      kind: "operator_metrics_alert",
      subject: `Alert: ${turned.map((r) => r.id.replace("_", " ")).join(", ")}`,
      text: `Over the last hour:\n\n${lines}\n\nYou are told once when an alert starts; the metrics per hour: /admin/metrics.`,
      accountId: null,
      key: `metrics-alert/${now.getTime()}/${(await sha256Hex(to)).slice(0, 16)}`,
    });
  }
}

/** Each alert's recorded state, for /admin/metrics. */
export async function alertStatesNow(env: Env) {
  const { results } = await env.DB.prepare(
    "SELECT id, state, value, threshold, ran_at, changed_at FROM operator_alerts ORDER BY id",
  ).all<{
    id: AlertId;
    state: AlertState;
    value: number;
    threshold: number;
    ran_at: number;
    changed_at: number;
  }>();
  return results.map((r) => ({
    id: r.id,
    state: r.state,
    value: r.value,
    threshold: r.threshold,
    ranAt: new Date(r.ran_at).toISOString(),
    changedAt: new Date(r.changed_at).toISOString(),
  }));
}
