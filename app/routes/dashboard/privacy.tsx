// "Your data": the account holder's rights in plain words, their privacy requests on the 30-day clock,
// the export download, correcting their details, and deleting the account after re-entering the password.
import { useEffect } from "react";
import { Form, useNavigation, useRevalidator } from "react-router";
import { PASSWORD_LENGTH } from "#worker/accounts/password-length";
import { formatCount, formatDateTime } from "#worker/format";
import { OBJECTION_LENGTH } from "#worker/privacy/rights-requests/objection-length";
import { DataTable } from "../../components/DataTable";
import { Field, FormError, TextAreaField } from "../../components/Field";
import { RequestStatus, requestTypeLabel } from "../../components/RequestStatus";
import { formatTimeLeft } from "../../lib/time-left";
import type { Route } from "./+types/privacy";

export const meta: Route.MetaFunction = () => [{ title: "Your data — Botmara" }];

/** While an export is being built, the page checks again this often (with JavaScript; without, reload). */
const POLL_MS = 2_000;

export { action, loader } from "./privacy.server";

type LoaderData = Route.ComponentProps["loaderData"];
type FormErrorData = { message: string; param: string | null } | null;

/** Errors of the deletion form show beside its fields; any other shows at the top of the page. */
const DELETE_FIELDS = new Set(["password", "understood"]);

export default function YourData({ loaderData, actionData }: Route.ComponentProps) {
  const error = actionData && "error" in actionData ? actionData.error : null;
  const exporting = loaderData.requests.some((r) => r.type === "access" && r.status === "in_progress");
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!exporting) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [exporting, revalidator]);

  return (
    <>
      <h1>Your data</h1>
      <p className="muted">
        What we hold about you is yours to see, take with you, correct and delete. We answer every request
        within {loaderData.deadlineDays} days. Questions:{" "}
        <a href={`mailto:${loaderData.privacyContact}`}>{loaderData.privacyContact}</a>.
      </p>
      <Rights />
      <Held held={loaderData.held} open={loaderData.requests.filter((r) => r.msLeft !== null)} />
      {error && !DELETE_FIELDS.has(error.param ?? "") ? <FormError message={error.message} /> : null}
      <Requests requests={loaderData.requests} exporting={exporting} />
      <ExportCard exporting={exporting} done={Boolean(actionData && "exportRequested" in actionData)} />
      <RestrictCard
        restriction={loaderData.restriction}
        done={actionData && "restriction" in actionData ? (actionData.restriction ?? null) : null}
      />
      <ObjectCard
        done={Boolean(actionData && "objected" in actionData)}
        error={error?.param === "note" ? error.message : null}
      />
      <RectifyCard
        account={loaderData.account}
        pendingEmail={
          actionData && "rectified" in actionData ? actionData.rectified?.pendingEmail : undefined
        }
      />
      <DeleteCard data={loaderData} error={error} />
    </>
  );
}

const SWITCH_LABELS: Record<string, string> = {
  contentLogging: "Content logging",
  trainingConsent: "Training use",
  notices: "Notices",
};

/** The live version of the export's summary: counts per holder, settings, consent history, open requests. */
function Held({ held, open }: { held: LoaderData["held"]; open: LoaderData["requests"] }) {
  const onOff = (v: boolean) => (v ? "on" : "off");
  return (
    <section className="card" aria-labelledby="held">
      <h2 id="held">What we hold about you right now</h2>
      <p className="muted">
        Counted live from the same list of places the export and the deletion use.{" "}
        <a href="/privacy/promises">How we check our promises</a>.
      </p>
      <ul data-testid="holdings">
        {held.holdings.map((h) => (
          <li key={h.name}>
            <strong>{h.description}</strong>: {formatCount(h.records, h.unit)}
            {h.exported ? null : <span className="muted"> (not part of the export)</span>}
          </li>
        ))}
      </ul>
      <h3>Your settings</h3>
      <p>
        Content logging {onOff(held.settings.contentLogging)}
        {held.settings.contentLogging ? `, kept ${held.settings.retentionDays} days` : ""}; training use{" "}
        {onOff(held.settings.trainingConsent)}; notices {onOff(held.settings.notices)}.{" "}
        <a href="/dashboard/settings">Change</a>
      </p>
      <h3>Consent history</h3>
      {held.consents.length === 0 ? (
        <p className="muted">You have not changed a consent switch; the defaults apply.</p>
      ) : (
        <ul>
          {held.consents.map((c) => (
            <li key={`${c.setting}-${c.at}`}>
              {formatDateTime(c.at)}: {SWITCH_LABELS[c.setting] ?? c.setting} turned {onOff(c.newValue)}{" "}
              (policy {c.policyVersion}, {c.channel})
            </li>
          ))}
        </ul>
      )}
      <h3>Open requests</h3>
      {open.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul>
          {open.map((r) => (
            <li key={r.id}>
              {requestTypeLabel(r.type)}: due {formatDateTime(r.dueAt)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Rights() {
  return (
    <section className="card" aria-labelledby="rights">
      <h2 id="rights">Your rights</h2>
      <ul>
        <li>
          <strong>See and take your data.</strong> Ask for an export: one JSON file with everything we hold
          about your account — profile, settings and consent history, API keys (names and prefixes, never the
          keys), sessions, usage, billing, WhatsApp metadata and any content you chose to log.
        </li>
        <li>
          <strong>Correct it.</strong> Change your name or email address below; a new address is confirmed by
          a link we send to it.
        </li>
        <li>
          <strong>Object.</strong> Turn content logging, training use and notices off in{" "}
          <a href="/dashboard/settings">privacy settings</a>, or object below to anything else we do on the
          basis of our legitimate interests; an operator answers within the deadline.
        </li>
        <li>
          <strong>Restrict it.</strong> Have your data only stored — no API requests, no WhatsApp replies, no
          training use — until you lift the restriction.
        </li>
        <li>
          <strong>Delete it.</strong> Delete your account and its data; you get a signed receipt of what was
          erased and what the law makes us keep.
        </li>
        <li>
          <strong>Complain.</strong> You may also complain to your data-protection authority.
        </li>
      </ul>
    </section>
  );
}

function Requests({ requests, exporting }: { requests: LoaderData["requests"]; exporting: boolean }) {
  return (
    <section className="block" aria-labelledby="requests">
      <h2 id="requests">Your requests</h2>
      <DataTable
        caption="Your privacy requests, newest first"
        columns={["Request", "Status", "Received", "Due by", "Result"]}
        empty={requests.length === 0 ? "No requests yet." : null}
      >
        {requests.map((r) => (
          <tr key={r.id} data-testid={`request-${r.type}`}>
            <td>
              {requestTypeLabel(r.type)}
              {r.channel === "email" ? <span className="muted"> (by email)</span> : null}
            </td>
            <td>
              <RequestStatus status={r.status} />
              {r.progress && r.status !== "completed" ? <div className="muted">{r.progress}</div> : null}
            </td>
            <td>{formatDateTime(r.createdAt)}</td>
            <td>
              {formatDateTime(r.dueAt)}
              {r.msLeft !== null ? <div className="muted">{formatTimeLeft(r.msLeft)}</div> : null}
            </td>
            <td>
              <RequestResult request={r} />
            </td>
          </tr>
        ))}
      </DataTable>
      {exporting ? (
        <p className="muted" role="status">
          Your export is being built; this page updates by itself when it is ready.{" "}
          <a href="/dashboard/privacy">Refresh</a>
        </p>
      ) : null}
    </section>
  );
}

function RequestResult({ request: r }: { request: LoaderData["requests"][number] }) {
  if (r.exportReady) {
    return (
      <>
        <a href={`/api/privacy/requests/${r.id}/export`} download className="button secondary">
          Download export
        </a>{" "}
        <a href={`/api/privacy/requests/${r.id}/export?format=html`} download>
          Summary (HTML)
        </a>
        <div className="muted">until {formatDateTime(r.exportExpiresAt)}</div>
      </>
    );
  }
  if (r.type === "access" && r.status === "completed") return <span className="muted">Expired</span>;
  if (r.status === "denied") return <span className="muted">{r.denialReason}</span>;
  if (r.answer) return <span className="muted">Upheld: {r.answer}</span>;
  if (r.type === "restriction" && r.progress) return <span className="muted">{r.progress}</span>;
  if (r.status === "verifying") return <span className="muted">Confirm by the link we emailed you</span>;
  return <span className="muted">—</span>;
}

function ExportCard({ exporting, done }: { exporting: boolean; done: boolean }) {
  const busy = useNavigation().formData?.get("intent") === "export";
  return (
    <section className="card" aria-labelledby="export">
      <h2 id="export">Get a copy of your data</h2>
      <p>
        We build the export in the background and email you when it is ready. It is stored encrypted, only you
        can download it while signed in, and it is deleted 72 hours after it is ready.
      </p>
      {done ? (
        <p className="alert success" role="status">
          Export requested. It appears in the list above when it is ready.
        </p>
      ) : null}
      <Form method="post">
        <input type="hidden" name="intent" value="export" />
        <button type="submit" disabled={busy || exporting}>
          {exporting ? "Export in progress…" : "Request an export"}
        </button>
      </Form>
    </section>
  );
}

function RestrictCard({
  restriction,
  done,
}: {
  restriction: LoaderData["restriction"];
  done: "applied" | "lifted" | null;
}) {
  const busy = ["restrict", "lift"].includes(String(useNavigation().formData?.get("intent")));
  return (
    <section className="card" aria-labelledby="restrict">
      <h2 id="restrict">Restrict processing</h2>
      <p>
        While processing is restricted your data is only stored: your API keys are refused with{" "}
        <code>processing_restricted</code>, WhatsApp messages are received but not answered, and nothing of
        yours goes to a training export. Lift it here whenever you like.
      </p>
      {done ? (
        <p className="alert success" role="status">
          {done === "applied" ? "Processing is restricted." : "The restriction is lifted."}
        </p>
      ) : null}
      <p data-testid="restriction-state">
        {restriction.since
          ? `Restricted since ${formatDateTime(restriction.since)}.`
          : "Not restricted: your data is processed as the policy describes."}
      </p>
      <Form method="post">
        <input type="hidden" name="intent" value={restriction.restricted ? "lift" : "restrict"} />
        <button type="submit" className="secondary" disabled={busy}>
          {restriction.restricted ? "Lift the restriction" : "Restrict processing"}
        </button>
      </Form>
    </section>
  );
}

function ObjectCard({ done, error }: { done: boolean; error: string | null }) {
  const busy = useNavigation().formData?.get("intent") === "object";
  return (
    <section className="card" aria-labelledby="object">
      <h2 id="object">Object to processing</h2>
      <p>
        Tell us what you object to and why. Operators answer within the deadline — upheld or not, with the
        reasons — by email.
      </p>
      {done ? (
        <p className="alert success" role="status">
          Objection received. It appears in the list above until it is answered.
        </p>
      ) : null}
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="object" />
        <TextAreaField
          label="Your objection"
          name="note"
          rows={4}
          required
          minLength={OBJECTION_LENGTH.min}
          maxLength={OBJECTION_LENGTH.max}
          error={error}
        />
        <div>
          <button type="submit" className="secondary" disabled={busy}>
            Send objection
          </button>
        </div>
      </Form>
    </section>
  );
}

function RectifyCard({
  account,
  pendingEmail,
}: {
  account: LoaderData["account"];
  pendingEmail: string | null | undefined;
}) {
  const busy = useNavigation().formData?.get("intent") === "rectify";
  return (
    <section className="card" aria-labelledby="rectify">
      <h2 id="rectify">Correct your details</h2>
      {pendingEmail !== undefined ? (
        <p className="alert success" role="status">
          {pendingEmail
            ? `Saved. Your email changes to ${pendingEmail} once you use the link we sent there (valid 24 hours).`
            : "Saved."}
        </p>
      ) : null}
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="rectify" />
        <Field label="Name" name="name" defaultValue={account.name} maxLength={100} autoComplete="name" />
        <Field
          label="Email"
          name="email"
          type="email"
          defaultValue={account.email}
          required
          maxLength={254}
          autoComplete="email"
        />
        <Field
          label="Your password (only to change the email)"
          name="password"
          type="password"
          maxLength={PASSWORD_LENGTH.max}
          autoComplete="current-password"
        />
        <div>
          <button type="submit" className="secondary" disabled={busy}>
            Save details
          </button>
        </div>
      </Form>
    </section>
  );
}

function DeleteCard({ data, error }: { data: LoaderData; error: FormErrorData }) {
  const busy = useNavigation().formData?.get("intent") === "delete";
  const fieldError = (name: string) => (error?.param === name ? error.message : null);
  return (
    <section className="card" aria-labelledby="delete">
      <h2 id="delete">Delete your account</h2>
      <div id="delete-explained">
        <p>
          <strong>At once:</strong> your API keys and sessions stop working and you are signed out.{" "}
          {data.graceHours > 0
            ? `Erasure starts ${data.graceHours} hour${data.graceHours === 1 ? "" : "s"} later; until then you can cancel with the link in the email we send you.`
            : "Erasure starts immediately and cannot be canceled."}
        </p>
        <p>
          <strong>What we erase:</strong>
        </p>
        <ul>
          {data.erased.map((e) => (
            <li key={e.name}>{e.what}</li>
          ))}
          <li>The encryption key of your logged content, so any copy left in a backup is unreadable</li>
        </ul>
        <p>
          <strong>What the law makes us keep</strong> (without your name, email or account id):
        </p>
        <ul>
          {data.retained.map((r) => (
            <li key={r.what}>
              {r.what}.{" "}
              <span className="muted">
                Legal basis: {r.legalBasis}. Kept until {r.until}.
              </span>
            </li>
          ))}
        </ul>
        <p>
          You receive a signed deletion receipt by email. You may sign up again later with the same email, as
          a new, empty account.
        </p>
      </div>
      <Form method="post" className="stack" aria-describedby="delete-explained">
        <input type="hidden" name="intent" value="delete" />
        <Field
          label="Current password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={fieldError("password")}
        />
        <label className="check">
          <input type="checkbox" name="understood" required />I understand that my account and its data will
          be deleted.
        </label>
        {fieldError("understood") ? (
          <span className="muted" role="alert">
            {fieldError("understood")}
          </span>
        ) : null}
        <div>
          <button type="submit" className="danger" disabled={busy}>
            {busy ? "Deleting…" : "Delete my account"}
          </button>
        </div>
      </Form>
    </section>
  );
}
