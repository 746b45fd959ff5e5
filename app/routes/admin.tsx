// /admin, for operators (ADMIN_EMAILS): the privacy promises that are broken or at risk first, then every
// privacy request on its 30-day clock, overdue first, and recording a request that arrived by email (the
// account holder then confirms it by a single-use link); and finding a customer's recent failed API requests
// by email or account id (times, ids, codes — never content).
import { Form, Link, useNavigation } from "react-router";
import { z } from "zod";
import { getDb } from "#worker/db";
import { forbidden } from "#worker/errors";
import { formatDateTime } from "#worker/format";
import { findCustomerFailures } from "#worker/observability/metrics/failures";
import { type OperatorAuditRow, operatorAuditLog } from "#worker/operators/audit";
import { failuresFirst, promiseReport } from "#worker/privacy/promises/report";
import { privacyQueue } from "#worker/privacy/rights-requests/admin-routes";
import { recordEmailedRequest } from "#worker/privacy/rights-requests/service";
import { OPEN_STATUSES } from "#worker/privacy/rights-requests/view";
import { deadLetterSummary } from "#worker/usage/replay";
import { DataTable } from "../components/DataTable";
import { DeadLetters } from "../components/DeadLetters";
import { Facts } from "../components/Facts";
import { Field, FormError, SelectField, TextAreaField } from "../components/Field";
import { StatusBadge } from "../components/PromiseStatus";
import { RequestStatus, requestTypeLabel } from "../components/RequestStatus";
import { SiteHeader } from "../components/SiteHeader";
import { formState, useResetAfterSuccess } from "../lib/form-state";
import { formAction, parseForm, readForm } from "../lib/forms.server";
import { isAdmin, requireOperator, requireUser } from "../lib/session.server";
import { formatTimeLeft } from "../lib/time-left";
import type { Route } from "./+types/admin";

export const meta: Route.MetaFunction = () => [{ title: "Operators — Botmara" }];

/** The form's version of POST /api/admin/privacy/requests' body (channel is always "email" here). */
const EmailedRequestForm = z.object({
  email: z.string().trim().pipe(z.email("Enter the sender's email address.").max(254)),
  type: z.enum(["access", "deletion", "restriction", "objection"], { error: "Choose the kind of request." }),
  note: z.string().trim().max(2000, "Keep the note under 2,000 characters."),
});

/** The operator's search for a customer's failures: an email address or an account id. */
const FindFailuresForm = z.object({
  who: z
    .string()
    .trim()
    .min(1, "Enter the customer's email address or account id.")
    .max(254, "Keep it under 254 characters."),
});

const isOpen = (status: string) => (OPEN_STATUSES as readonly string[]).includes(status);

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  await requireOperator(request, env);
  const queue = await privacyQueue(getDb(env.DB));
  return {
    appName: env.APP_NAME ?? "Botmara",
    promises: failuresFirst(await promiseReport(env, { operator: true })),
    queue: queue.map(({ receipt: _receipt, ...r }) => r),
    operatorAudit: await operatorAuditLog(getDb(env.DB)),
    deadLetters: await deadLetterSummary(getDb(env.DB)),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  return formAction(async () => {
    if (!isAdmin(env, session)) throw forbidden("Operators only.");
    const operator = { accountId: session.accountId, email: session.email };
    if ((await readForm(request.clone() as Request)).get("intent") === "find-failures") {
      const { who } = await parseForm(request, FindFailuresForm);
      const found = await findCustomerFailures(env, getDb(env.DB), operator, who);
      return { searched: found ?? { notFound: true as const } };
    }
    const input = await parseForm(request, EmailedRequestForm);
    const view = await recordEmailedRequest(env, { ...input, origin: new URL(request.url).origin }, operator);
    return { recorded: { id: view.id, status: view.status } };
  }, request);
}

export default function Admin({ loaderData, actionData }: Route.ComponentProps) {
  const open = loaderData.queue.filter((r) => isOpen(r.status));
  const overdue = loaderData.queue.filter((r) => r.overdue).length;
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn />
      <main id="main" className="content">
        <h1>Operators</h1>
        <p>
          <a href="/admin/records">Records of processing</a> · <a href="/admin/incidents">Incidents</a> ·{" "}
          <a href="/admin/metrics">Metrics</a> · <a href="/admin/catalogue">Models and prices</a>
        </p>
        <Promises promises={loaderData.promises} />
        <div className="grid">
          <div className="card">
            <div className="muted">Open requests</div>
            <div className="stat">{open.length}</div>
          </div>
          <div className="card">
            <div className="muted">Overdue</div>
            <div className="stat">{overdue}</div>
          </div>
        </div>
        <CustomerFailures actionData={actionData} />
        <Queue queue={loaderData.queue} />
        <RecordRequest actionData={actionData} />
        <OperatorAudit rows={loaderData.operatorAudit} />
        <DeadLetters summary={loaderData.deadLetters} />
      </main>
    </>
  );
}

/** The promise checks of the policy's promises: what is broken or at risk, with evidence; kept ones counted. */
function Promises({ promises }: { promises: Route.ComponentProps["loaderData"]["promises"] }) {
  const { failing, kept, total, lastRunAt } = promises;
  return (
    <section className="block" aria-labelledby="promises">
      <h2 id="promises">
        Promises <StatusBadge status={promises.status} />
      </h2>
      <p className="muted">
        {lastRunAt
          ? `Promise checks last ran ${formatDateTime(lastRunAt)}. `
          : "The promise checks have not run yet. "}
        {failing.length
          ? `${failing.length} of ${total} checks need attention, broken first.`
          : `All ${total} checks are kept.`}{" "}
        The public report: <a href="/privacy/promises">/privacy/promises</a>.
      </p>
      {failing.map((c) => (
        <article key={c.id} className="card block" data-testid="promise-failure">
          <h3>
            <StatusBadge status={c.status} /> {c.promiseId}: <span className="mono">{c.id}</span>
          </h3>
          <p>{c.summary}</p>
          <p className="muted">
            {c.promise}. Last run {c.ranAt ? formatDateTime(c.ranAt) : "never"}
            {c.changedAt ? `; in this state since ${formatDateTime(c.changedAt)}` : ""}.
          </p>
          {Object.keys(c.facts).length ? (
            <Facts rows={Object.entries(c.facts).map(([k, v]) => [k, String(v)])} mono />
          ) : null}
          {c.refs?.length ? (
            <details className="more">
              <summary>Pointers ({c.refs.length})</summary>
              <ul>
                {c.refs.map((r) => (
                  <li key={r}>
                    <code>{r}</code>
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </article>
      ))}
      {kept.length ? (
        <details className="more">
          <summary>
            {kept.length} kept check{kept.length === 1 ? "" : "s"}
          </summary>
          <p className="mono">{kept.map((k) => `${k.promiseId} ${k.id}`).join(", ")}</p>
        </details>
      ) : null}
    </section>
  );
}

/** A customer's failed API requests of the last day, found by email or account id; never their content. */
function CustomerFailures({ actionData }: { actionData: Route.ComponentProps["actionData"] }) {
  const busy = useNavigation().state === "submitting";
  const form = formState(actionData);
  const searched = actionData && "searched" in actionData ? actionData.searched : null;
  return (
    <section className="card block" aria-labelledby="failures">
      <h2 id="failures">A customer's failed requests</h2>
      <p className="muted">
        The last 24 hours of API requests answered with an error, from the metrics: times, request and key
        ids, model, status and code — never content. Each search is noted in the operator audit.
      </p>
      <Form method="post" className="inline" aria-label="Find a customer's failed requests">
        <input type="hidden" name="intent" value="find-failures" />
        <Field
          label="Email or account id"
          name="who"
          required
          maxLength={254}
          defaultValue={form.values.who ?? ""}
          error={form.fields.who}
        />
        <button type="submit" className="secondary" disabled={busy}>
          Find failures
        </button>
      </Form>
      {searched && "notFound" in searched ? (
        <p className="alert" role="status">
          No account has that email address or id.
        </p>
      ) : null}
      {searched && "accountId" in searched ? (
        <>
          <p role="status">
            Account <span className="mono">{searched.accountId}</span>: {searched.failures.length} failed
            request{searched.failures.length === 1 ? "" : "s"} since {formatDateTime(searched.since)}. Its log
            lines carry <span className="mono">accountRef={searched.accountRef}</span>.
          </p>
          <DataTable
            caption="The customer's failed requests, newest first"
            data-testid="customer-failures"
            columns={["When", "Request id", "Key", "Model", "Status", "Code"]}
            empty={searched.failures.length === 0 ? "No failed requests." : null}
          >
            {searched.failures.map((f) => (
              <tr key={f.requestId}>
                <td>{formatDateTime(f.at, true)}</td>
                <td className="mono">{f.requestId}</td>
                <td className="mono">{f.keyId ? f.keyId.slice(0, 8) : "—"}</td>
                <td className="mono">
                  {f.model || "—"}
                  {f.provider !== "none" ? <span className="muted"> ({f.provider})</span> : null}
                </td>
                <td>{f.status}</td>
                <td className="mono">{f.code || "—"}</td>
              </tr>
            ))}
          </DataTable>
        </>
      ) : null}
    </section>
  );
}

function Queue({ queue }: { queue: Route.ComponentProps["loaderData"]["queue"] }) {
  return (
    <section className="block" aria-labelledby="queue">
      <h2 id="queue">Privacy requests</h2>
      <p className="muted">
        Open requests first, the most urgent at the top. Requests are named by a pseudonym, never an email.
      </p>
      <DataTable
        caption="Every privacy request, overdue first"
        columns={["Request", "Channel", "Status", "Received", "Due by", "Time left", "Note"]}
        empty={queue.length === 0 ? "No requests." : null}
      >
        {queue.map((r) => (
          <tr key={r.id} data-testid="queue-row">
            <td>
              <Link to={`/admin/requests/${r.id}`}>
                {requestTypeLabel(r.type)} <span className="mono">{r.id.slice(0, 8)}</span>
              </Link>
            </td>
            <td>{r.channel}</td>
            <td>
              <RequestStatus status={r.status} />
              {r.progress ? <div className="muted">{r.progress}</div> : null}
            </td>
            <td>{formatDateTime(r.createdAt)}</td>
            <td>{formatDateTime(r.dueAt)}</td>
            <td>
              {r.overdue ? (
                <span className="badge bad">{formatTimeLeft(r.msLeft)}</span>
              ) : isOpen(r.status) ? (
                formatTimeLeft(r.msLeft)
              ) : (
                <span className="muted">closed</span>
              )}
            </td>
            <td>{r.note ? <span className="muted">{r.note}</span> : null}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function RecordRequest({ actionData }: { actionData: Route.ComponentProps["actionData"] }) {
  const busy = useNavigation().state === "submitting";
  const form = formState(actionData);
  // After a success the form is emptied (a fresh page without JavaScript; reset with it), so the next
  // request never carries the previous one's note; after an error what was typed stays.
  const ref = useResetAfterSuccess(actionData);
  const recorded = actionData && "recorded" in actionData ? actionData.recorded : null;
  const typed = recorded ? {} : form.values;
  return (
    <section className="card" aria-labelledby="record">
      <h2 id="record">Record a request that arrived by email</h2>
      <p className="muted">
        Nothing runs until the account holder confirms by a single-use link (valid 24 hours) sent to the
        account's own address. An address with no active account is recorded as denied.
      </p>
      {recorded ? (
        <p className="alert success" role="status">
          {recorded.status === "denied"
            ? "Recorded as denied: no active account holds this address."
            : "Recorded. The account holder was sent a confirmation link."}{" "}
          <Link to={`/admin/requests/${recorded.id}`}>Open the request</Link>
        </p>
      ) : null}
      <FormError message={Object.keys(form.fields).length ? null : form.error} />
      <Form method="post" className="stack" ref={ref} key={recorded?.id ?? "new"}>
        <Field
          label="Sender's email"
          name="email"
          type="email"
          required
          maxLength={254}
          defaultValue={typed.email ?? ""}
          error={form.fields.email}
        />
        <SelectField
          label="Kind of request"
          name="type"
          required
          defaultValue={typed.type ?? ""}
          error={form.fields.type}
        >
          <option value="" disabled>
            Choose…
          </option>
          <option value="access">Copy of their data (access)</option>
          <option value="deletion">Deletion of their account</option>
          <option value="restriction">Restriction of processing</option>
          <option value="objection">Objection (put their text in the note)</option>
        </SelectField>
        <TextAreaField
          label="Note (what the email said; no content beyond what you need)"
          name="note"
          rows={3}
          maxLength={2000}
          defaultValue={typed.note ?? ""}
          hint="Optional, up to 2,000 characters."
          error={form.fields.note}
        />
        <div>
          <button type="submit" disabled={busy}>
            Record request
          </button>
        </div>
      </Form>
    </section>
  );
}

/** The append-only operator audit: who did what, newest first (worker/operators/audit.ts). */
function OperatorAudit({ rows }: { rows: OperatorAuditRow[] }) {
  return (
    <section className="block" aria-labelledby="operator-audit">
      <h2 id="operator-audit">Operator audit</h2>
      <p className="muted">Every operator action, as recorded; rows can be neither changed nor removed.</p>
      <DataTable
        caption="Operator actions, newest first"
        columns={["When", "Operator", "Action", "On", "Details"]}
        empty={rows.length === 0 ? "No operator actions yet." : null}
      >
        {rows.map((r) => (
          <tr key={r.id} data-testid="operator-audit-row">
            <td>{formatDateTime(r.at)}</td>
            <td>{r.operatorEmail}</td>
            <td className="mono">{r.action}</td>
            <td className="mono">{r.target ? r.target.slice(0, 8) : "—"}</td>
            <td className="muted">
              {r.detail
                ? Object.entries(r.detail)
                    .map(([k, v]) => `${k}: ${String(v)}`)
                    .join(", ")
                : ""}
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
