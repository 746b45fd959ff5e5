// /admin/metrics, for operators: per hour, the API's request rate, error rate (by code and by provider),
// p50/p95 latency and time to first byte, metering lag and dead-lettered usage batches — from Analytics
// Engine's SQL API in production, from the local stand-in in local mode (ADR 091) — and the alerts' states.
// Plain tables and a GET form for the range: it all works without JavaScript and at 390 px.
import { Form, Link } from "react-router";
import { formatDateTime } from "#worker/format";
import { alertStatesNow } from "#worker/observability/metrics/alerts";
import { metricsByHour, metricsSource } from "#worker/observability/metrics/query";
import { HOUR_MS } from "#worker/time";
import { DataTable } from "../../components/DataTable";
import { SiteHeader } from "../../components/SiteHeader";
import { requireOperator } from "../../lib/session.server";
import type { Route } from "./+types/metrics";

export const meta: Route.MetaFunction = () => [{ title: "Metrics — Operators — Botmara" }];

const RANGES = [6, 24, 72, 168] as const;

const SOURCES = {
  analytics_engine: "Workers Analytics Engine (its SQL API).",
  local:
    "the local stand-in: local mode keeps the points in the Worker's memory (Miniflare's dataset drops them).",
  unconfigured:
    "nothing yet: set ANALYTICS_ACCOUNT_ID and the secret ANALYTICS_API_TOKEN to read Analytics Engine. Dead letters still show.",
} as const;

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  await requireOperator(request, env);
  const asked = Number(new URL(request.url).searchParams.get("hours"));
  const hours = (RANGES as readonly number[]).includes(asked) ? asked : 24;
  const to = Date.now();
  let report: Awaited<ReturnType<typeof metricsByHour>> | null = null;
  try {
    report = await metricsByHour(env, to - hours * HOUR_MS, to);
  } catch {
    report = null; // the SQL API failed: the page says so and still shows the alerts
  }
  return {
    appName: env.APP_NAME ?? "Botmara",
    hours,
    source: metricsSource(env),
    report,
    alerts: await alertStatesNow(env),
  };
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const percent = (x: number) => `${(x * 100).toFixed(1)} %`;
const ms = (p: { p50: number; p95: number }) => `${int(p.p50)} / ${int(p.p95)} ms`;
const hourLabel = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;

export default function Metrics({ loaderData }: Route.ComponentProps) {
  const { report, hours, source, alerts } = loaderData;
  const rows = report ? [...report.hours].reverse() : [];
  const total = rows.reduce((n, h) => n + h.requests, 0);
  const errors = rows.reduce((n, h) => n + h.errors, 0);
  const dead = rows.reduce((n, h) => n + h.deadLetters.batches, 0);
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn />
      <main id="main" className="content">
        <p>
          <Link to="/admin">← Operators</Link>
        </p>
        <h1>Metrics</h1>
        <p className="muted">Read from {SOURCES[source]}</p>
        <Form method="get" className="inline card" aria-label="Choose the range">
          <label>
            Range
            <select name="hours" defaultValue={String(hours)}>
              {RANGES.map((h) => (
                <option key={h} value={h}>
                  last {h} hours
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="secondary">
            Show
          </button>
        </Form>
        {report ? null : (
          <p className="alert error" role="alert">
            The metrics could not be read (Analytics Engine's SQL API did not answer). Try again shortly.
          </p>
        )}
        <div className="grid">
          <div className="card">
            <div className="muted">API requests</div>
            <div className="stat">{int(total)}</div>
          </div>
          <div className="card">
            <div className="muted">Error rate</div>
            <div className="stat">{total ? percent(errors / total) : "—"}</div>
          </div>
          <div className="card">
            <div className="muted">Dead-lettered batches</div>
            <div className="stat">{int(dead)}</div>
          </div>
        </div>
        <Alerts alerts={alerts} />
        <section className="block" aria-labelledby="per-hour">
          <h2 id="per-hour">Per hour</h2>
          <p className="muted">
            Newest first, UTC. Latency and first byte as p50 / p95; metering lag is the 95th percentile from a
            response's end to its row in the account's object.
          </p>
          <DataTable
            caption="API requests per hour"
            data-testid="metrics-hours"
            columns={[
              "Hour (UTC)",
              "Requests",
              "Per second",
              "Errors",
              "Latency",
              "First byte",
              "Metering lag",
              "Dead letters",
            ]}
            empty={rows.length === 0 ? "No data." : null}
          >
            {rows.map((h) => (
              <tr key={h.hour}>
                <td>{hourLabel(h.hour)}</td>
                <td>{int(h.requests)}</td>
                <td>{h.requestsPerSecond.toFixed(2)}</td>
                <td>
                  {int(h.errors)}
                  {h.requests ? <span className="muted"> ({percent(h.errorRate)})</span> : null}
                </td>
                <td>{ms(h.latencyMs)}</td>
                <td>{ms(h.firstByteMs)}</td>
                <td>{int(h.meteringLagMs.p95)} ms</td>
                <td>
                  {int(h.deadLetters.batches)}
                  {h.deadLetters.rows ? (
                    <span className="muted"> ({int(h.deadLetters.rows)} rows)</span>
                  ) : null}
                </td>
              </tr>
            ))}
          </DataTable>
        </section>
        <ErrorsBy rows={rows} by="code" title="Errors by code" />
        <ErrorsBy rows={rows} by="provider" title="Errors by provider" />
      </main>
    </>
  );
}

type Hours = NonNullable<Route.ComponentProps["loaderData"]["report"]>["hours"];

function ErrorsBy({ rows, by, title }: { rows: Hours; by: "code" | "provider"; title: string }) {
  const lines = rows.flatMap((h) =>
    (by === "code" ? h.errorsByCode : h.errorsByProvider).map((e) => ({
      hour: h.hour,
      name: "code" in e ? e.code : e.provider,
      count: e.count,
    })),
  );
  const id = `errors-by-${by}`;
  return (
    <section className="block" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <DataTable
        caption={`${title}, per hour, newest first`}
        data-testid={id}
        columns={["Hour (UTC)", by === "code" ? "Code" : "Provider", "Errors"]}
        empty={lines.length === 0 ? "No errors in this range." : null}
      >
        {lines.map((l) => (
          <tr key={`${l.hour}|${l.name}`}>
            <td>{hourLabel(l.hour)}</td>
            <td className="mono">{l.name}</td>
            <td>{int(l.count)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function Alerts({ alerts }: { alerts: Route.ComponentProps["loaderData"]["alerts"] }) {
  return (
    <section className="block" aria-labelledby="alerts">
      <h2 id="alerts">Alerts</h2>
      <p className="muted">
        Checked every 5 minutes over the last hour; the operators are mailed once when an alert starts firing.
      </p>
      <DataTable
        caption="Each alert's state at its last check"
        data-testid="metrics-alerts"
        columns={["Alert", "State", "Value", "Threshold", "Since"]}
        empty={alerts.length === 0 ? "Not checked yet." : null}
      >
        {alerts.map((a) => (
          <tr key={a.id}>
            <td className="mono">{a.id}</td>
            <td>
              <span className={a.state === "firing" ? "badge bad" : "badge"}>{a.state}</span>
            </td>
            <td>{a.id === "error_rate" ? percent(a.value) : int(a.value)}</td>
            <td>{a.id === "error_rate" ? percent(a.threshold) : int(a.threshold)}</td>
            <td>{formatDateTime(a.changedAt)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
