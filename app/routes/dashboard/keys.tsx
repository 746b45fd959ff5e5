// /dashboard/keys: create keys (secret shown once), rename them, set expiry, monthly spend limit and rate
// limit and data policy, and revoke after a confirmation step — all plain forms that work without JavaScript.
import { Form, Link, useNavigation } from "react-router";
import { z } from "zod";
import { type DataPolicyName, dataPolicies, policyChoices } from "#worker/ai/data-policy/rules";
import { formatCents, formatMicros } from "#worker/billing/money";
import { getConfig } from "#worker/config";
import { getDb } from "#worker/db";
import { formatDate, formatDateTime } from "#worker/format";
import {
  accountPlan,
  createKey,
  listKeys,
  MAX_KEYS_PER_ACCOUNT,
  revokeKey,
  updateKey,
} from "#worker/keys/service";
import type { KeyView } from "#worker/keys/views";
import { DAY_MS } from "#worker/time";
import { usageSummary } from "#worker/usage/queries";
import { flushUsage } from "#worker/usage/record";
import { CopyButton } from "../../components/CopyButton";
import { DataTable } from "../../components/DataTable";
import { Field, FormError, SelectField } from "../../components/Field";
import { formState, useResetAfterSuccess } from "../../lib/form-state";
import { formAction, parseForm } from "../../lib/forms.server";
import { rateLimitText } from "../../lib/key-limit";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/keys";

export const meta: Route.MetaFunction = () => [{ title: "API keys — Botmara" }];

/** An optional number field: blank clears the setting. */
const optionalNumber = (schema: z.ZodNumber) =>
  z.preprocess((v) => (v === "" || v === undefined ? null : Number(v)), schema.nullable());

const settingsFields = {
  expires: z
    .string()
    .trim()
    .refine((v) => v === "" || /^\d{4}-\d{2}-\d{2}$/.test(v), "Pick a date, or leave it empty.")
    .refine((v) => v === "" || Date.parse(`${v}T00:00:00Z`) > Date.now(), "Pick a day after today."),
  spendLimit: optionalNumber(
    z
      .number({ error: "Enter an amount in dollars, or leave it empty." })
      .min(0.01, "Enter at least $0.01, or leave it empty.")
      .max(1_000_000, "Enter at most $1,000,000.")
      .multipleOf(0.01, "Use whole cents."),
  ),
  rateLimit: optionalNumber(
    z
      .number({ error: "Enter a whole number of requests, or leave it empty." })
      .int("Enter a whole number of requests.")
      .min(1, "Enter at least 1 request per minute, or leave it empty."),
  ),
  dataPolicy: z.enum(dataPolicies).default("any"),
};
const name = z.string().trim().min(1, "Give the key a name.").max(100, "Use at most 100 characters.");
const id = z.string().min(1).max(64);

const KeyAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), name, ...settingsFields }),
  z.object({ intent: z.literal("update"), id, name, ...settingsFields }),
  z.object({ intent: z.literal("revoke"), id }),
]);

function settingsFrom(input: {
  expires: string;
  spendLimit: number | null;
  rateLimit: number | null;
  dataPolicy: DataPolicyName;
}) {
  return {
    dataPolicy: input.dataPolicy,
    expiresAt: input.expires ? new Date(`${input.expires}T00:00:00Z`) : null,
    monthlySpendLimitCents: input.spendLimit === null ? null : Math.round(input.spendLimit * 100),
    rateLimitRpm: input.rateLimit,
  };
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  const now = new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  await flushUsage(env, session.accountId);
  const [keys, plan, spend] = await Promise.all([
    listKeys(db, session.accountId),
    accountPlan(db, getConfig(env), session.accountId),
    usageSummary(env, db, session.accountId, { from: monthStart, to: new Date(now.getTime() + 1) }, "key"),
  ]);
  const url = new URL(request.url);
  return {
    keys,
    spentThisMonth: Object.fromEntries(spend.map((s) => [s.group, s.costMicros])),
    plan: { name: plan.name, ceiling: plan.rateLimitCeilingRpm },
    defaultRpm: Math.min(getConfig(env).ai.rateLimitRpm, plan.rateLimitCeilingRpm),
    maxKeys: MAX_KEYS_PER_ACCOUNT,
    editing: url.searchParams.get("edit"),
    revoking: url.searchParams.get("revoke"),
    tomorrow: new Date(now.getTime() + DAY_MS).toISOString().slice(0, 10),
    dataPolicyChoices: policyChoices(),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  const config = getConfig(env);
  return formAction(async () => {
    const input = await parseForm(request, KeyAction);
    if (input.intent === "create") {
      const created = await createKey(db, config, session.accountId, {
        name: input.name,
        ...settingsFrom(input),
      });
      return { created: { name: created.name, key: created.key } };
    }
    if (input.intent === "update") {
      const key = await updateKey(db, config, session.accountId, input.id, {
        name: input.name,
        ...settingsFrom(input),
      });
      return { updated: key.name };
    }
    await revokeKey(db, session.accountId, input.id);
    return { revoked: input.id };
  }, request);
}

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
  policies,
}: {
  values: Record<string, string>;
  fields: Record<string, string>;
  ceiling: number;
  defaultRpm: number;
  tomorrow: string;
  prefix: string;
  policies: { value: string; label: string }[];
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
      <SelectField
        id={`${prefix}-dataPolicy`}
        label="Data policy"
        name="dataPolicy"
        defaultValue={values.dataPolicy ?? "any"}
        hint="Narrows your account's data policy for this key: both apply."
        error={fields.dataPolicy}
      >
        {policies.map((p) => (
          <option key={p.value} value={p.value}>
            {p.value === "any" ? "as the account's" : p.label}
          </option>
        ))}
      </SelectField>
    </>
  );
}

const editValues = (k: KeyView): Record<string, string> => ({
  name: k.name,
  expires: k.expiresAt?.slice(0, 10) ?? "",
  spendLimit: k.monthlySpendLimitCents === null ? "" : (k.monthlySpendLimitCents / 100).toFixed(2),
  rateLimit: k.rateLimitRpm === null ? "" : String(k.rateLimitRpm),
  dataPolicy: k.dataPolicy,
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
            <CopyButton value={created.key} />
          </div>
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
                    policies={loaderData.dataPolicyChoices}
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
                policies={loaderData.dataPolicyChoices}
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
