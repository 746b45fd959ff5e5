// /dashboard/usage: requests, tokens and cost over time (hourly up to 48 hours, daily beyond), cost by model
// and by key. Charts draw in the browser only and are hidden from assistive technology; each has a table
// with the same numbers, rendered on the server.
import { type ReactNode, useEffect, useState } from "react";
import { Link } from "react-router";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatMicros } from "#worker/billing/money";
import { formatInt } from "#worker/format";
import type { UsageGroup } from "#worker/usage/queries";
import { DataTable } from "../../components/DataTable";
import type { Route } from "./+types/usage";

export const meta: Route.MetaFunction = () => [{ title: "Usage — Botmara" }];

export { loader } from "./usage.server";

/** Each measure's colour, by its field in the series. */
const COLORS = {
  requests: "#2563eb",
  errors: "#b42318",
  inputTokens: "#b45309",
  outputTokens: "#15803d",
  cost: "#7e22ce",
};

/** Charts measure their box, so they draw after hydration; the tables are the server-rendered truth. */
function useMounted() {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

const money = (dollars: number) => formatMicros(Math.round(dollars * 1_000_000));
const compact = (n: number) =>
  n >= 1_000_000 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1_000 ? `${+(n / 1e3).toFixed(1)}k` : String(n);

function Legend({ items }: { items: [string, string][] }) {
  return (
    <ul className="chart-legend" aria-hidden="true">
      {items.map(([label, color]) => (
        <li key={label}>
          <span className="swatch" style={{ background: color }} />
          {label}
        </li>
      ))}
    </ul>
  );
}

/** A decorative chart: no focus, no accessible name; the table after it carries the numbers. */
const TIME_AXIS = { dataKey: "label", minTickGap: 16, tick: { fontSize: 12 } };
/** The y axis of the charts that count (requests, tokens). */
const COUNT_AXIS = { allowDecimals: false, tickFormatter: compact, width: 48 };

/** A chart over time: how it draws, the fields it draws (in the legend's words), its y axis and tooltip. */
type TimeChart = {
  what: string;
  kind: "bar" | "line";
  marks: Partial<Record<keyof typeof COLORS, string>>;
  yAxis: { allowDecimals?: boolean; tickFormatter: (v: number) => string; width: number };
  tooltip?: (v: unknown) => string;
};

/** The charts over time, in page order; each card's id is its key with "-chart". */
const TIME_CHARTS: Record<"requests" | "tokens" | "cost", TimeChart> = {
  requests: {
    what: "Requests",
    kind: "bar",
    marks: { requests: "Requests", errors: "Errors and refusals" },
    yAxis: COUNT_AXIS,
    tooltip: (v) => formatInt(Number(v)),
  },
  tokens: {
    what: "Tokens",
    // Bars, not a line: a line drawn between empty buckets and one busy one reads as a ramp that never was.
    kind: "bar",
    marks: { inputTokens: "Input tokens", outputTokens: "Output tokens" },
    yAxis: COUNT_AXIS,
    tooltip: (v) => formatInt(Number(v)),
  },
  cost: {
    what: "Cost",
    kind: "bar",
    marks: { cost: "Cost" },
    yAxis: { tickFormatter: money, width: 0 },
    tooltip: (v) => money(Number(v)),
  },
};

/** One chart card over the series: heading, legend (when it draws more than one field), bars or lines on the
 *  shared time axis, and what follows. */
function SeriesChart({
  id,
  title,
  chart,
  series,
  mounted,
  after,
}: {
  id: string;
  title: string;
  chart: TimeChart;
  series: object[];
  mounted: boolean;
  after?: ReactNode;
}) {
  const Chart = chart.kind === "bar" ? BarChart : LineChart;
  const marks = Object.entries(chart.marks).map(([dataKey, name]) => ({
    dataKey,
    name,
    color: COLORS[dataKey as keyof typeof COLORS],
  }));
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {marks.length > 1 ? <Legend items={marks.map((m): [string, string] => [m.name, m.color])} /> : null}
      <ChartBox mounted={mounted}>
        <Chart data={series} margin={{ top: 8, right: 8, bottom: 4, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis {...TIME_AXIS} />
          <YAxis {...chart.yAxis} width={chart.yAxis.width || labelWidth(series.map(costOf).map(money))} />
          <Tooltip formatter={chart.tooltip} />
          {marks.map(({ color, ...mark }) =>
            chart.kind === "bar" ? (
              <Bar key={mark.dataKey} {...mark} fill={color} isAnimationActive={false} />
            ) : (
              <Line key={mark.dataKey} {...mark} stroke={color} dot={false} isAnimationActive={false} />
            ),
          )}
        </Chart>
      </ChartBox>
      {after}
    </section>
  );
}

/** Room for the widest label of an axis (12 px type), so "$0.000135" is not clipped to ".000135". */
const labelWidth = (labels: string[], max = 240) =>
  Math.min(max, 16 + 7 * Math.max(4, ...labels.map((l) => l.length)));
const costOf = (p: object) => ("cost" in p ? Number(p.cost) : 0);

function ChartBox({
  mounted,
  height = 240,
  children,
}: {
  mounted: boolean;
  height?: number;
  children: ReactNode;
}) {
  return (
    // Hidden from assistive technology (the table carries the numbers) but not inert: a pointer over it shows
    // each value. Without JavaScript no empty box is reserved; the table is there instead.
    mounted ? (
      <div className="chart" style={{ height }} aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          {children as React.ReactElement}
        </ResponsiveContainer>
      </div>
    ) : null
  );
}

/** The measures a usage table can give after its first column, in order: heading and cell. */
const MEASURES = {
  requests: ["Requests", (r: Measured) => formatInt(r.requests)],
  errors: ["Errors", (r: Measured) => formatInt(r.errors)],
  inputTokens: ["Input tokens", (r: Measured) => formatInt(r.inputTokens)],
  outputTokens: ["Output tokens", (r: Measured) => formatInt(r.outputTokens)],
  cost: ["Cost", (r: Measured) => formatMicros(r.costMicros)],
} as const;
type Measure = keyof typeof MEASURES;
const ALL_MEASURES = Object.keys(MEASURES) as Measure[];

type Measured = Pick<
  UsageGroup,
  "label" | "requests" | "errors" | "inputTokens" | "outputTokens" | "costMicros"
>;

/** A usage table: one row per time bucket, model or key, named in the first column, then the measures. */
function MeasuresTable<Row extends Measured>({
  caption,
  first,
  rows,
  rowKey,
  mono,
  measures = ALL_MEASURES,
}: {
  caption: string;
  first: string;
  rows: Row[];
  rowKey: (row: Row) => string;
  mono?: boolean;
  measures?: readonly Measure[];
}) {
  return (
    <DataTable
      className="cards"
      caption={caption}
      columns={[first, ...measures.map((m) => MEASURES[m][0])]}
      empty={rows.length === 0 ? "No requests in this range." : null}
    >
      {rows.map((r) => (
        <tr key={rowKey(r)}>
          <td data-label={first} className={mono ? "mono" : undefined}>
            {r.label}
          </td>
          {measures.map((m) => (
            <td key={m} data-label={MEASURES[m][0]} className="num">
              {MEASURES[m][1](r)}
            </td>
          ))}
        </tr>
      ))}
    </DataTable>
  );
}

function GroupTable({ rows, what }: { rows: UsageGroup[]; what: string }) {
  return (
    <MeasuresTable
      caption={`Usage by ${what.toLowerCase()}, most expensive first`}
      first={what}
      rows={rows}
      rowKey={(r) => r.group}
      mono
    />
  );
}

function CostBars({ rows, mounted }: { rows: UsageGroup[]; mounted: boolean }) {
  const data = rows.map((r) => ({ label: r.label, cost: r.cost }));
  return (
    <ChartBox mounted={mounted} height={Math.max(120, 44 * data.length + 40)}>
      <BarChart
        data={data}
        layout="vertical"
        margin={{ top: 4, right: 16, bottom: 4, left: 4 }}
        accessibilityLayer={false}
      >
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" tickFormatter={money} />
        <YAxis
          type="category"
          dataKey="label"
          interval={0}
          width={labelWidth(
            data.map((d) => d.label),
            260,
          )}
          tick={{ fontSize: 12 }}
        />
        <Tooltip formatter={(v) => money(Number(v))} />
        <Bar dataKey="cost" name="Cost" fill={COLORS.cost} isAnimationActive={false} />
      </BarChart>
    </ChartBox>
  );
}

export default function Usage({ loaderData }: Route.ComponentProps) {
  const { ranges, range, hourly, series, byModel, byKey } = loaderData;
  const mounted = useMounted();
  const totals = series.reduce(
    (t, r) => ({
      requests: t.requests + r.requests,
      errors: t.errors + r.errors,
      tokens: t.tokens + r.inputTokens + r.outputTokens,
      costMicros: t.costMicros + r.costMicros,
    }),
    { requests: 0, errors: 0, tokens: 0, costMicros: 0 },
  );
  const per = hourly ? "hour" : "day";
  const buckets = series.filter((p) => p.requests > 0);
  return (
    <>
      <h1>Usage</h1>
      <nav className="tabs" aria-label="Time range">
        <span className="muted">Last</span>
        {ranges.map((r) => (
          <Link key={r.id} to={`?range=${r.id}`} aria-current={r.id === range ? "page" : undefined}>
            {r.label}
          </Link>
        ))}
      </nav>
      <div className="grid">
        <div className="card">
          <div className="muted">Requests</div>
          <div className="stat" data-testid="usage-requests">
            {formatInt(totals.requests)}
          </div>
        </div>
        <div className="card">
          <div className="muted">Errors and refusals</div>
          <div className="stat" data-testid="usage-errors">
            {formatInt(totals.errors)}
          </div>
        </div>
        <div className="card">
          <div className="muted">Tokens</div>
          <div className="stat">{formatInt(totals.tokens)}</div>
        </div>
        <div className="card">
          <div className="muted">Cost</div>
          <div className="stat" data-testid="usage-cost">
            {formatMicros(totals.costMicros)}
          </div>
        </div>
      </div>
      {totals.requests === 0 ? (
        <div className="card">
          <p>No requests in this range yet.</p>
          <p className="muted">
            Create a key on <Link to="/dashboard/keys">API keys</Link> and follow the{" "}
            <Link to="/dashboard">quickstart</Link>, or try a model in the{" "}
            <Link to="/dashboard/playground">playground</Link>.
          </p>
        </div>
      ) : null}

      {Object.entries(TIME_CHARTS).map(([key, chart]) => (
        <SeriesChart
          key={key}
          id={`${key}-chart`}
          title={`${chart.what} per ${per}`}
          chart={chart}
          series={series}
          mounted={mounted}
          after={
            // Open until the chart draws: without JavaScript the table is what shows.
            <details open={!mounted}>
              <summary>The numbers per {per}</summary>
              <MeasuresTable
                caption={`${chart.what} per ${per}`}
                first={hourly ? "Hour (UTC)" : "Day (UTC)"}
                rows={buckets}
                rowKey={(p) => p.bucket}
                measures={Object.keys(chart.marks) as Measure[]}
              />
            </details>
          }
        />
      ))}

      <section className="card" aria-labelledby="by-model">
        <h2 id="by-model">Cost by model</h2>
        <CostBars rows={byModel} mounted={mounted} />
        <GroupTable rows={byModel} what="Model" />
      </section>

      <section className="card" aria-labelledby="by-key">
        <h2 id="by-key">Cost by key</h2>
        <CostBars rows={byKey} mounted={mounted} />
        <GroupTable rows={byKey} what="Key" />
      </section>

      <p>
        Each request, with its status, latency and cost: the <Link to="/dashboard/requests">request log</Link>
        .
      </p>
    </>
  );
}
