// /dashboard/usage: requests, tokens and cost over time, by model and by key (charts), and the latest requests.
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { getDb } from "../../../worker/db";
import { recentUsage, type UsageGroup, usageSummary } from "../../../worker/usage/queries";
import { flushUsage } from "../../../worker/usage/record";
import { formatDateTime, formatInt, formatUsd } from "../../lib/format";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/usage";

export const meta: Route.MetaFunction = () => [{ title: "Usage — Botmara" }];

const RANGES = [7, 30, 90] as const;
const DAY_MS = 86_400_000;

export async function loader({ request, context }: Route.LoaderArgs) {
  const env = context.cloudflare.env;
  const session = await requireUser(request, env);
  const asked = Number(new URL(request.url).searchParams.get("days"));
  const days = (RANGES as readonly number[]).includes(asked) ? asked : 30;
  const to = new Date();
  const range = { from: new Date(to.getTime() - days * DAY_MS), to };
  const db = getDb(env.DB);
  await flushUsage(env, session.accountId);
  const [byDay, byModel, byKey, recent] = await Promise.all([
    usageSummary(db, session.accountId, range, "day"),
    usageSummary(db, session.accountId, range, "model"),
    usageSummary(db, session.accountId, range, "key"),
    recentUsage(db, session.accountId, 50),
  ]);
  return { days, byDay: fillDays(byDay, range.from, days), byModel, byKey, recent };
}

/** One point per day, zeros included, so the time axis is even. */
function fillDays(rows: UsageGroup[], from: Date, days: number) {
  const byDate = new Map(rows.map((r) => [r.group, r]));
  return Array.from({ length: days + 1 }, (_, i) => {
    const day = new Date(from.getTime() + i * DAY_MS).toISOString().slice(0, 10);
    const r = byDate.get(day);
    return {
      day,
      requests: r?.requests ?? 0,
      tokens: (r?.inputTokens ?? 0) + (r?.outputTokens ?? 0),
      inputTokens: r?.inputTokens ?? 0,
      outputTokens: r?.outputTokens ?? 0,
      cost: r?.cost ?? 0,
    };
  });
}

/** Charts measure the page, so they draw after hydration; the numbers below are server-rendered. */
function useMounted() {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

function Chart({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="card">
      <h2>{title}</h2>
      <div style={{ overflowX: "auto" }}>{children}</div>
    </div>
  );
}

export default function Usage({ loaderData }: Route.ComponentProps) {
  const { days, byDay, byModel, byKey, recent } = loaderData;
  const mounted = useMounted();
  const totals = byModel.reduce(
    (t, r) => ({
      requests: t.requests + r.requests,
      tokens: t.tokens + r.inputTokens + r.outputTokens,
      costMicros: t.costMicros + r.costMicros,
      errors: t.errors + r.errors,
    }),
    { requests: 0, tokens: 0, costMicros: 0, errors: 0 },
  );
  return (
    <>
      <h1>Usage</h1>
      <p className="inline">
        <span className="muted">Last</span>
        {RANGES.map((d) => (
          <Link key={d} to={`?days=${d}`} aria-current={d === days ? "page" : undefined}>
            {d} days
          </Link>
        ))}
      </p>
      <div className="grid">
        <div className="card">
          <div className="muted">Requests</div>
          <div className="stat" data-testid="usage-requests">
            {formatInt(totals.requests)}
          </div>
        </div>
        <div className="card">
          <div className="muted">Tokens</div>
          <div className="stat">{formatInt(totals.tokens)}</div>
        </div>
        <div className="card">
          <div className="muted">Cost</div>
          <div className="stat">{formatUsd(totals.costMicros)}</div>
        </div>
        <div className="card">
          <div className="muted">Errors</div>
          <div className="stat">{formatInt(totals.errors)}</div>
        </div>
      </div>
      {mounted ? (
        <>
          <Chart title="Requests and tokens per day">
            <LineChart width={760} height={240} data={byDay}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis yAxisId="requests" />
              <YAxis yAxisId="tokens" orientation="right" />
              <Tooltip />
              <Legend />
              <Line yAxisId="requests" dataKey="requests" stroke="#2563eb" dot={false} />
              <Line yAxisId="tokens" dataKey="tokens" stroke="#16a34a" dot={false} />
            </LineChart>
          </Chart>
          <Chart title="Cost per day (USD)">
            <BarChart width={760} height={200} data={byDay}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis />
              <Tooltip />
              <Bar dataKey="cost" fill="#9333ea" />
            </BarChart>
          </Chart>
          <Chart title="By model">
            <BarChart width={760} height={220} data={byModel}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="group" />
              <YAxis />
              <Tooltip />
              <Legend />
              <Bar dataKey="requests" fill="#2563eb" />
              <Bar dataKey="outputTokens" fill="#16a34a" />
            </BarChart>
          </Chart>
          <Chart title="By key">
            <BarChart width={760} height={220} data={byKey}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="label" />
              <YAxis />
              <Tooltip />
              <Legend />
              <Bar dataKey="requests" fill="#2563eb" />
              <Bar dataKey="inputTokens" fill="#f59e0b" />
            </BarChart>
          </Chart>
        </>
      ) : null}
      <div className="card">
        <h2>By model</h2>
        <table>
          <thead>
            <tr>
              <th>Model</th>
              <th>Requests</th>
              <th>Input tokens</th>
              <th>Output tokens</th>
              <th>Cost</th>
            </tr>
          </thead>
          <tbody>
            {byModel.map((r) => (
              <tr key={r.group}>
                <td className="mono">{r.group}</td>
                <td>{formatInt(r.requests)}</td>
                <td>{formatInt(r.inputTokens)}</td>
                <td>{formatInt(r.outputTokens)}</td>
                <td>{formatUsd(r.costMicros)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="card">
        <h2>Latest requests</h2>
        {recent.length === 0 ? (
          <p className="muted">No requests yet. Call the API with one of your keys and they appear here.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Time</th>
                <th>Model</th>
                <th>Key</th>
                <th>Tokens in / out</th>
                <th>Cost</th>
                <th>Latency</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((r) => (
                <tr key={r.id}>
                  <td>{formatDateTime(r.createdAt)}</td>
                  <td className="mono">{r.model}</td>
                  <td>{r.keyLabel}</td>
                  <td>
                    {formatInt(r.inputTokens)} / {formatInt(r.outputTokens)}
                    {r.estimated ? (
                      <span className="badge off" title="The stream ended early; tokens were estimated">
                        estimated
                      </span>
                    ) : null}
                  </td>
                  <td>{formatUsd(r.costMicros)}</td>
                  <td>{r.latencyMs} ms</td>
                  <td>
                    <span className={r.status < 400 ? "badge" : "badge bad"}>{r.status}</span>
                    {r.streamed ? <span className="badge off">stream</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
