// /dashboard/keys: create keys (secret shown once), rename them, set expiry, monthly spend limit and rate
// limit, and revoke after a confirmation step — all plain forms that work without JavaScript.
import { Form, Link, useNavigation } from "react-router";
import { formatCents, formatMicros } from "#worker/billing/money";
import { formatDate, formatDateTime } from "#worker/format";
import type { KeyView } from "#worker/keys/views";
import { CopyButton } from "../../components/CopyButton";
import { DataTable } from "../../components/DataTable";
import { Field, FormError } from "../../components/Field";
import { Snippets } from "../../components/Snippets";
import { formState, useResetAfterSuccess } from "../../lib/form-state";
import { rateLimitText } from "../../lib/key-limit";
import type { Route } from "./+types/keys";

export const meta: Route.MetaFunction = () => [{ title: "API keys — Botmara" }];

export { action, loader } from "./keys.server";

/** The service names fields by their API names; the form by its own. */
const FORM_FIELD: Record<string, string> = {
  rateLimitRpm: "rateLimit",
  expiresAt: "expires",
  monthlySpendLimitCents: "spendLimit",
};

function KeySettingsFields({
  values,
  fields,
  ceiling,
  defaultRpm,
  tomorrow,
  prefix,
}: {
  values: Record<string, string>;
  fields: Record<string, string>;
  ceiling: number;
  defaultRpm: number;
  tomorrow: string;
  prefix: string;
}) {
  return (
    <>
      <Field
        id={`${prefix}-expires`}
        label="Expires on (optional)"
        name="expires"
        type="date"
        min={tomorrow}
        defaultValue={values.expires ?? ""}
        hint="The key stops working at 00:00 UTC that day. Empty: never."
        error={fields.expires}
      />
      <Field
        id={`${prefix}-spendLimit`}
        label="Monthly spend limit, USD (optional)"
        name="spendLimit"
        type="number"
        inputMode="decimal"
        min="0.01"
        step="0.01"
        defaultValue={values.spendLimit ?? ""}
        hint="Requests are refused (402) once the key has spent this much in the calendar month. Empty: no limit."
        error={fields.spendLimit}
      />
      <Field
        id={`${prefix}-rateLimit`}
        label="Requests per minute (optional)"
        name="rateLimit"
        type="number"
        inputMode="numeric"
        min="1"
        max={ceiling}
        step="1"
        defaultValue={values.rateLimit ?? ""}
        hint={`1 to ${ceiling} on your plan. Empty: ${defaultRpm}.`}
        error={fields.rateLimit}
      />
    </>
  );
}

const editValues = (k: KeyView): Record<string, string> => ({
  name: k.name,
  expires: k.expiresAt?.slice(0, 10) ?? "",
  spendLimit: k.monthlySpendLimitCents === null ? "" : (k.monthlySpendLimitCents / 100).toFixed(2),
  rateLimit: k.rateLimitRpm === null ? "" : String(k.rateLimitRpm),
});

function keyStatus(k: KeyView) {
  if (k.revokedAt) return <span className="badge bad">revoked</span>;
  if (k.expiresAt && Date.parse(k.expiresAt) <= Date.now()) return <span className="badge bad">expired</span>;
  return <span className="badge">active</span>;
}

export default function Keys({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const { keys, plan, defaultRpm, maxKeys, editing, revoking, tomorrow, spentThisMonth } = loaderData;
  const created = actionData && "created" in actionData ? actionData.created : null;
  const updated = actionData && "updated" in actionData ? actionData.updated : null;
  const state = formState(actionData);
  const fields = Object.fromEntries(Object.entries(state.fields).map(([k, v]) => [FORM_FIELD[k] ?? k, v]));
  const intent = state.values.intent;
  const createRef = useResetAfterSuccess(actionData);
  const editKey = keys.find(
    (k) => k.id === (intent === "update" ? state.values.id : editing) && !k.revokedAt,
  );
  const revokeKeyView = keys.find((k) => k.id === revoking && !k.revokedAt);
  const live = keys.filter((k) => !k.revokedAt).length;
  return (
    <>
      <h1>API keys</h1>
      {created ? (
        <div className="alert success" role="status">
          <p>
            <strong>{created.name}</strong> is ready. Copy the key now — it will not be shown again.
          </p>
          <div className="secret">
            <code data-testid="new-key">{created.key}</code>
            <CopyButton value={created.key} label="Copy key" />
          </div>
          <details open className="quickstart">
            <summary>Try it: the quickstart with this key filled in</summary>
            <p className="muted">
              Keep keys out of code you share: once this works, read it from an environment variable, as the{" "}
              <Link to="/dashboard">dashboard's quickstart</Link> does.
            </p>
            <Snippets snippets={created.snippets} />
          </details>
        </div>
      ) : null}
      {updated ? (
        <div className="alert success" role="status">
          <strong>{updated}</strong> is saved.
        </div>
      ) : null}
      {actionData && "revoked" in actionData ? (
        <div className="alert success" role="status">
          The key is revoked. Requests with it are refused from now on.
        </div>
      ) : null}
      <FormError message={state.error && Object.keys(fields).length === 0 ? state.error : null} />

      {revokeKeyView ? (
        <section className="card confirm" aria-labelledby="revoke-title">
          <h2 id="revoke-title">Revoke {revokeKeyView.name}?</h2>
          <p>
            Every program using <code>{revokeKeyView.prefix}…</code> is refused at once. This cannot be
            undone; you can create a new key at any time.
          </p>
          <Form method="post" action="/dashboard/keys" className="inline">
            <input type="hidden" name="intent" value="revoke" />
            <input type="hidden" name="id" value={revokeKeyView.id} />
            <button type="submit" className="danger" disabled={busy}>
              Revoke key
            </button>
            <Link to="/dashboard/keys" className="button secondary">
              Cancel
            </Link>
          </Form>
        </section>
      ) : null}

      {editKey ? (
        <section className="card" aria-labelledby="edit-title">
          <h2 id="edit-title">Edit {editKey.name}</h2>
          <Form method="post" action="/dashboard/keys" className="stack" key={editKey.id} noValidate>
            <input type="hidden" name="intent" value="update" />
            <input type="hidden" name="id" value={editKey.id} />
            {(() => {
              const values = intent === "update" && state.error ? state.values : editValues(editKey);
              const errs = intent === "update" ? fields : {};
              return (
                <>
                  <Field
                    id="edit-name"
                    label="Name"
                    name="name"
                    required
                    maxLength={100}
                    defaultValue={values.name}
                    hint="1–100 characters."
                    error={errs.name}
                  />
                  <KeySettingsFields
                    prefix="edit"
                    values={values}
                    fields={errs}
                    ceiling={plan.ceiling}
                    defaultRpm={defaultRpm}
                    tomorrow={tomorrow}
                  />
                </>
              );
            })()}
            <div className="inline">
              <button type="submit" disabled={busy}>
                Save changes
              </button>
              <Link to="/dashboard/keys" className="button secondary">
                Cancel
              </Link>
            </div>
          </Form>
        </section>
      ) : null}

      <div className="card">
        <h2>Create a key</h2>
        <p className="muted">
          Up to {maxKeys} active keys per account ({live} in use). Rate limits go up to {plan.ceiling}{" "}
          requests per minute on the {plan.name} plan.
        </p>
        <Form method="post" className="stack" ref={createRef} noValidate>
          <input type="hidden" name="intent" value="create" />
          <Field
            label="Name"
            name="name"
            placeholder="e.g. production server"
            required
            maxLength={100}
            defaultValue={intent === "create" ? state.values.name : undefined}
            hint="1–100 characters, to tell your keys apart."
            error={intent === "create" ? fields.name : undefined}
          />
          <details className="more" open={intent === "create" && state.error ? true : undefined}>
            <summary>Limits (optional)</summary>
            <div className="stack">
              <KeySettingsFields
                prefix="create"
                values={intent === "create" ? state.values : {}}
                fields={intent === "create" ? fields : {}}
                ceiling={plan.ceiling}
                defaultRpm={defaultRpm}
                tomorrow={tomorrow}
              />
            </div>
          </details>
          <div>
            <button type="submit" disabled={busy}>
              Create key
            </button>
          </div>
        </Form>
      </div>

      <h2>Your keys</h2>
      {keys.length === 0 ? (
        <p className="muted">No keys yet. Create one above, then send it as a Bearer token.</p>
      ) : (
        <DataTable
          className="cards"
          caption="Your API keys"
          columns={["Name", "Key", "Created", "Last used", "Limits", "Spent this month", "Status", "Actions"]}
        >
          {keys.map((k) => (
            <tr key={k.id}>
              <td data-label="Name">{k.name}</td>
              <td data-label="Key">
                <code>{k.prefix}…</code>
              </td>
              <td data-label="Created">{formatDate(k.createdAt)}</td>
              <td data-label="Last used">{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : "never"}</td>
              <td data-label="Limits">
                {rateLimitText(k.rateLimitRpm, defaultRpm, plan)}
                {k.monthlySpendLimitCents !== null ? ` · ${formatCents(k.monthlySpendLimitCents)}/month` : ""}
                {k.expiresAt ? ` · until ${formatDate(k.expiresAt)}` : ""}
              </td>
              <td data-label="Spent this month">{formatMicros(spentThisMonth[k.id] ?? 0)}</td>
              <td data-label="Status">{keyStatus(k)}</td>
              <td data-label="Actions">
                {k.revokedAt ? null : (
                  <span className="inline">
                    <Link to={`?edit=${k.id}`} aria-label={`Edit ${k.name}`}>
                      Edit
                    </Link>
                    <Link to={`?revoke=${k.id}`} className="danger-link" aria-label={`Revoke ${k.name}`}>
                      Revoke
                    </Link>
                  </span>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}
