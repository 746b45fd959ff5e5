// /dashboard/requests: the request log — every request of the account, filtered by time, key, model, status
// and streaming, paged by cursor, downloadable as CSV. A plain GET form: it works without JavaScript.
import { Form, Link } from "react-router";
import { formatMicros } from "#worker/billing/money";
import { formatDateTime, formatInt } from "#worker/format";
import { DataTable } from "../../components/DataTable";
import { FormError } from "../../components/Field";
import type { Route } from "./+types/requests";

export const meta: Route.MetaFunction = () => [{ title: "Request log — Botmara" }];

const STATUS_CHOICES = [
  ["", "Any status"],
  ["ok", "Succeeded"],
  ["error", "Failed or refused"],
  ["400", "400 bad request"],
  ["401", "401 key refused"],
  ["402", "402 out of credit"],
  ["404", "404 unknown model"],
  ["429", "429 rate limited"],
  ["502", "502 provider error"],
] as const;

export { loader } from "./requests.server";

function Select({
  label,
  name,
  value,
  choices,
}: {
  label: string;
  name: string;
  value: string;
  choices: readonly (readonly [string, string])[];
}) {
  return (
    <label>
      {label}
      <select name={name} defaultValue={value}>
        {choices.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

export default function Requests({ loaderData: d }: Route.ComponentProps) {
  return (
    <>
      <h1>Request log</h1>
      <p className="muted">
        Every request made with your keys or by the platform for you (WhatsApp, the playground), refused ones
        included. Content is only kept — and shown in a request's detail — while content logging is on.
      </p>
      <FormError message={d.error} />
      <Form method="get" className="inline card" aria-label="Find a request by its id">
        <label>
          Request id
          <input name="id" placeholder="x-request-id" required maxLength={64} className="mono" />
        </label>
        <button type="submit" className="secondary">
          Open request
        </button>
      </Form>
      <Form method="get" className="filters card" aria-label="Filter requests">
        <label>
          From
          <input type="date" name="from" defaultValue={d.shown.from} />
        </label>
        <label>
          To (inclusive)
          <input type="date" name="to" defaultValue={d.shown.to} />
        </label>
        <Select
          label="Key"
          name="keyId"
          value={d.shown.keyId!}
          choices={[["", "Any key"], ...d.keys.map((k) => [k.id, k.name] as const)]}
        />
        <Select
          label="Model"
          name="model"
          value={d.shown.model!}
          choices={[["", "Any model"], ...d.models.map((m) => [m, m] as const)]}
        />
        <Select label="Status" name="status" value={d.shown.status!} choices={STATUS_CHOICES} />
        <Select
          label="Streamed"
          name="streamed"
          value={d.shown.streamed!}
          choices={[
            ["", "Either"],
            ["true", "Streamed"],
            ["false", "Not streamed"],
          ]}
        />
        <div className="inline">
          <button type="submit">Apply filters</button>
          <Link to="/dashboard/requests" className="button secondary">
            Clear
          </Link>
        </div>
      </Form>
      <p className="muted">Without dates: the last 30 days.</p>
      {d.page.data.length === 0 ? (
        <div className="card">
          <p>No requests match.</p>
          <p className="muted">
            New here? Create a key on <Link to="/dashboard/keys">API keys</Link>, or try a model in the{" "}
            <Link to="/dashboard/playground">playground</Link>.
          </p>
        </div>
      ) : (
        <DataTable
          className="cards"
          data-testid="request-log"
          caption="Requests, newest first"
          columns={["Time", "Model", "Key", "Status", "Tokens in / out", "Cost", "Latency", "First token"]}
        >
          {d.page.data.map((r) => (
            <tr key={r.id}>
              <td data-label="Time">
                <Link
                  to={`/dashboard/requests/${r.id}`}
                  aria-label={`Request at ${formatDateTime(r.createdAt, d.seconds)}`}
                >
                  {formatDateTime(r.createdAt, d.seconds)}
                </Link>
              </td>
              <td data-label="Model" className="mono">
                {r.model || <span className="muted">no model</span>}
                {r.fallbackUsed ? <span className="badge off">fallback</span> : null}
              </td>
              <td data-label="Key">{r.keyLabel}</td>
              <td data-label="Status">
                <span className={r.status < 400 ? "badge" : "badge bad"}>{r.status}</span>
                {r.streamed ? <span className="badge off">stream</span> : null}
              </td>
              <td data-label="Tokens in / out" className="num">
                {formatInt(r.inputTokens)} / {formatInt(r.outputTokens)}
                {r.cachedInputTokens || r.cacheWriteTokens ? (
                  <span className="muted">
                    {" "}
                    ({formatInt(r.cachedInputTokens)} cached
                    {r.cacheWriteTokens ? `, ${formatInt(r.cacheWriteTokens)} written` : ""})
                  </span>
                ) : null}
                {r.estimated ? <span className="badge off">estimated</span> : null}
              </td>
              <td data-label="Cost" className="num">
                {formatMicros(r.costMicros)}
              </td>
              <td data-label="Latency" className="num">
                {formatInt(r.latencyMs)} ms
              </td>
              <td data-label="First token" className="num" data-testid="first-token">
                {r.firstTokenMs === null ? (
                  <span className="muted">—</span>
                ) : (
                  `${formatInt(r.firstTokenMs)} ms`
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <p className="inline">
        {d.paged ? (
          <Link to={`?${new URLSearchParams(Object.entries(d.shown).filter(([, v]) => v))}`}>Newest</Link>
        ) : null}
        {d.nextHref ? (
          <Link to={d.nextHref} rel="next">
            Older requests
          </Link>
        ) : null}
        {d.csvHref ? (
          <a href={d.csvHref} download>
            Download CSV of these filters
          </a>
        ) : null}
      </p>
    </>
  );
}
