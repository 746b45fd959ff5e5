// /admin/catalogue, for operators: every model as it stands (shipped, overridden, added, disabled) with its
// limits and prices, a form to override one or add one from an effective time at least a minute ahead, and every
// override saved (scheduled, in force, superseded). Each save is in the operator audit (ADR 035). No JS needed.
import { Form, Link, useNavigation } from "react-router";
import { z } from "zod";
import { operatorCatalogue, saveOverride } from "#worker/ai/catalogue/overrides/service";
import { ModelId } from "#worker/ai/catalogue/overrides/views";
import { PRICE_PATTERN } from "#worker/ai/catalogue/prices";
import { getConfig } from "#worker/config";
import { getDb } from "#worker/db";
import { forbidden } from "#worker/errors";
import { formatDateTime, formatInt } from "#worker/format";
import { DataTable } from "../../components/DataTable";
import { Field, FormError, SelectField } from "../../components/Field";
import { SiteHeader } from "../../components/SiteHeader";
import { formState } from "../../lib/form-state";
import { formAction, parseForm, readForm } from "../../lib/forms.server";
import { isAdmin, requireOperator, requireUser } from "../../lib/session.server";
import type { Route } from "./+types/catalogue";

export const meta: Route.MetaFunction = () => [{ title: "Models and prices — Operators — Botmara" }];

const CAPABILITIES = ["tools", "vision", "structured_output", "reasoning"] as const;
const PRICES = [
  ["input", "Input"],
  ["output", "Output"],
  ["cachedInput", "Cached input"],
  ["cacheWrite", "Cache write"],
] as const;

/** An empty field is "the shipped value". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" || v === undefined ? undefined : v), schema.optional());
const price = optional(z.string().trim().regex(PRICE_PATTERN, "Enter USD per 1M tokens, like 0.15."));
const tokens = (min: number) => optional(z.coerce.number().int().min(min).max(100_000_000));

const OverrideForm = z.object({
  modelId: z.string().trim().pipe(ModelId),
  // datetime-local posts "2026-12-06T05:30" (UTC, as the label says).
  effectiveAt: optional(
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "Enter a date and time (UTC).")
      .transform((v) => new Date(`${v}:00Z`).toISOString()),
  ),
  disabled: z.enum(["true", "false"]).transform((v) => v === "true"),
  kind: optional(z.enum(["chat", "embedding"])),
  upstream: optional(z.string().trim().max(200)),
  contextTokens: tokens(1),
  maxOutputTokens: tokens(0),
  "prices.input": price,
  "prices.output": price,
  "prices.cachedInput": price,
  "prices.cacheWrite": price,
});

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  await requireOperator(request, env);
  const config = getConfig(env);
  const catalogue = await operatorCatalogue(getDb(env.DB), config);
  const params = new URL(request.url).searchParams;
  const editing = params.get("model");
  const model = editing ? (catalogue.models.find((m) => m.id === editing) ?? null) : null;
  // The form starts from the override in force (or the newest scheduled one): a save is a complete statement.
  const override =
    (editing &&
      (catalogue.overrides.find((o) => o.modelId === editing && o.state === "scheduled") ??
        catalogue.overrides.find((o) => o.modelId === editing && o.state === "in_force"))) ||
    null;
  return { appName: config.appName, ...catalogue, model, override };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  return formAction(async () => {
    if (!isAdmin(env, session)) throw forbidden("Operators only.");
    // Every ticked box (parseForm keeps one value per name).
    const ticked = (await readForm(request.clone())).getAll("capabilities").map(String);
    const input = await parseForm(request, OverrideForm);
    const capabilities = CAPABILITIES.filter((c) => ticked.includes(c));
    const saved = await saveOverride(
      env,
      getDb(env.DB),
      { accountId: session.accountId, email: session.email },
      {
        modelId: input.modelId,
        effectiveAt: input.effectiveAt,
        disabled: input.disabled,
        kind: input.kind,
        upstream: input.upstream,
        contextTokens: input.contextTokens,
        maxOutputTokens: input.maxOutputTokens,
        // Only when the operator ticked "set them here": otherwise the shipped ones stand.
        capabilities: ticked.includes("set") ? capabilities : undefined,
        prices: {
          input: input["prices.input"],
          output: input["prices.output"],
          cachedInput: input["prices.cachedInput"],
          cacheWrite: input["prices.cacheWrite"],
        },
      },
    );
    return { done: true as const, modelId: saved.modelId, effectiveAt: saved.effectiveAt };
  }, request);
}

type Data = Route.ComponentProps["loaderData"];
type OperatorModel = Data["models"][number];

const usd = (p: string | null) => (p === null ? "—" : `$${p}`);

function ModelsTable({ models }: { models: OperatorModel[] }) {
  return (
    <DataTable
      className="cards"
      data-testid="catalogue-models"
      caption="Every model, as it stands now"
      columns={[
        "Model id",
        "State",
        "Limits",
        "Input",
        "Output",
        "Cached input",
        "Cache write",
        { hidden: "Edit" },
      ]}
    >
      {models.map((m) => (
        <tr key={m.id}>
          <td data-label="Model id">
            <code>{m.id}</code>{" "}
            {m.kind === "embedding" ? <span className="badge off">embeddings</span> : null}
            {m.kind === "transcription" ? <span className="badge off">speech to text</span> : null}
          </td>
          <td data-label="State">
            {m.disabled ? <span className="badge bad">disabled</span> : null}{" "}
            {m.source === "shipped" ? null : <span className="badge">{m.source}</span>}{" "}
            {m.available ? null : <span className="badge off">provider not configured</span>}
            {!m.disabled && m.source === "shipped" && m.available ? "as shipped" : null}
          </td>
          <td data-label="Limits">
            {formatInt(m.contextTokens)} context
            {m.kind === "chat" ? ` · ${formatInt(m.maxOutputTokens)} output` : ""}
          </td>
          <td data-label="Input">{usd(m.prices.input)}</td>
          <td data-label="Output">{usd(m.prices.output)}</td>
          <td data-label="Cached input">{usd(m.prices.cachedInput)}</td>
          <td data-label="Cache write">{usd(m.prices.cacheWrite)}</td>
          <td data-label="Edit">
            <Link to={`?model=${encodeURIComponent(m.id)}#edit`} aria-label={`Override ${m.id}`}>
              Override
            </Link>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function OverrideFields({ data, busy, actionData }: { data: Data; busy: boolean; actionData: unknown }) {
  const form = formState(actionData);
  const { model, override } = data;
  const typed = form.values;
  // After a refused save, what was typed; else the override being edited; placeholders: the current values.
  const value = (name: string, current: string | number | null | undefined) =>
    typed[name] ?? (current === null || current === undefined ? "" : String(current));
  const capabilities = override?.capabilities ?? model?.capabilities ?? [];
  return (
    <Form method="post" action="/admin/catalogue" className="card stack" key={model?.id ?? "new"}>
      {model ? (
        <input type="hidden" name="modelId" value={model.id} />
      ) : (
        <Field
          label="Model id (provider/model)"
          name="modelId"
          required
          maxLength={200}
          defaultValue={typed.modelId ?? ""}
          placeholder="openai/gpt-5.5-pro"
          error={form.fields.modelId}
        />
      )}
      <Field
        label="Effective from (UTC)"
        name="effectiveAt"
        type="datetime-local"
        defaultValue={typed.effectiveAt ?? ""}
        hint={`Empty: in ${data.leadSeconds} seconds, the earliest a change may apply. Requests already started keep the price they started with.`}
        error={form.fields.effectiveAt}
      />
      <label className="check">
        <input type="hidden" name="disabled" value="false" />
        <input
          type="checkbox"
          name="disabled"
          value="true"
          defaultChecked={(typed.disabled ?? String(override?.disabled ?? false)) === "true"}
        />
        Disabled: not listed and not callable
      </label>
      {model ? null : (
        <SelectField label="Kind" name="kind" defaultValue={typed.kind ?? "chat"} error={form.fields.kind}>
          <option value="chat">chat</option>
          <option value="embedding">embedding</option>
        </SelectField>
      )}
      <Field
        label="Upstream name"
        name="upstream"
        maxLength={200}
        defaultValue={value("upstream", override?.upstream)}
        placeholder={model?.upstream ?? "the name after provider/"}
        error={form.fields.upstream}
      />
      <Field
        label="Context length (tokens)"
        name="contextTokens"
        inputMode="numeric"
        defaultValue={value("contextTokens", override?.contextTokens)}
        placeholder={model ? String(model.contextTokens) : "128000"}
        error={form.fields.contextTokens}
      />
      <Field
        label="Max output (tokens)"
        name="maxOutputTokens"
        inputMode="numeric"
        defaultValue={value("maxOutputTokens", override?.maxOutputTokens)}
        placeholder={model ? String(model.maxOutputTokens) : "16384"}
        error={form.fields.maxOutputTokens}
      />
      {PRICES.map(([key, label]) => (
        <Field
          key={key}
          label={`${label}, USD per 1M tokens`}
          name={`prices.${key}`}
          inputMode="decimal"
          defaultValue={value(`prices.${key}`, override?.prices[key])}
          placeholder={
            model ? (model.prices[key] ?? "none") : key === "input" || key === "output" ? "1.00" : "optional"
          }
          error={form.fields[`prices.${key}`]}
        />
      ))}
      <fieldset>
        <legend>Capabilities</legend>
        <label className="check">
          <input
            type="checkbox"
            name="capabilities"
            value="set"
            defaultChecked={!model || Boolean(override?.capabilities)}
          />
          Set them here (unticked: the shipped ones)
        </label>
        {CAPABILITIES.map((c) => (
          <label key={c} className="check">
            <input type="checkbox" name="capabilities" value={c} defaultChecked={capabilities.includes(c)} />{" "}
            {c}
          </label>
        ))}
      </fieldset>
      <p className="muted">
        An empty field keeps the shipped value (shown greyed). A save replaces this model's earlier overrides
        from its effective time on; it is recorded in the operator audit.
      </p>
      <div>
        <button type="submit" disabled={busy}>
          {model ? `Save the override of ${model.id}` : "Add the model"}
        </button>
      </div>
    </Form>
  );
}

export default function Catalogue({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const form = formState(actionData);
  const done = actionData && "done" in actionData ? actionData : null;
  const { model, overrides } = loaderData;
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn />
      <main id="main" className="content wide-page">
        <p>
          <Link to="/admin">← Operators</Link>
        </p>
        <h1>Models and prices</h1>
        <p className="muted">
          The shipped catalogue with the operators' overrides. A change applies to requests started at or
          after its effective time — at the earliest {loaderData.leadSeconds} seconds after saving — and never
          to rows already metered; every server has a change within {loaderData.propagationSeconds} seconds of
          its saving.
        </p>
        {done ? (
          <p className="alert success" role="status">
            Saved: {done.modelId} from {formatDateTime(done.effectiveAt, true)}.
          </p>
        ) : null}
        <FormError message={form.error} />
        <ModelsTable models={loaderData.models} />
        <section className="block" aria-labelledby="edit" id="edit-section">
          <h2 id="edit">{model ? `Override ${model.id}` : "Add a model"}</h2>
          {model ? (
            <p>
              <Link to="/admin/catalogue#edit">Add a model instead</Link>
            </p>
          ) : null}
          <OverrideFields data={loaderData} busy={busy} actionData={actionData} />
        </section>
        <section className="block" aria-labelledby="history">
          <h2 id="history">Overrides</h2>
          <DataTable
            className="cards"
            data-testid="catalogue-overrides"
            caption="Every override, newest effective time first"
            columns={["Model id", "Effective from", "State", "Set"]}
            empty={overrides.length === 0 ? "No overrides: the shipped catalogue applies." : undefined}
          >
            {overrides.map((o) => (
              <tr key={o.id}>
                <td data-label="Model id">
                  <code>{o.modelId}</code>
                </td>
                <td data-label="Effective from">{formatDateTime(o.effectiveAt, true)}</td>
                <td data-label="State">{o.state.replace("_", " ")}</td>
                <td data-label="Set">{summary(o)}</td>
              </tr>
            ))}
          </DataTable>
        </section>
      </main>
    </>
  );
}

/** What an override sets, in a line ("disabled", "input $2.50 · max output 8,192"). */
function summary(o: Data["overrides"][number]): string {
  const parts = [
    o.disabled ? "disabled" : null,
    o.kind ? `kind ${o.kind}` : null,
    o.upstream ? `upstream ${o.upstream}` : null,
    o.contextTokens !== null ? `context ${formatInt(o.contextTokens)}` : null,
    o.maxOutputTokens !== null ? `max output ${formatInt(o.maxOutputTokens)}` : null,
    o.capabilities ? `capabilities ${o.capabilities.join(", ") || "none"}` : null,
    ...PRICES.map(([key, label]) =>
      o.prices[key] === null ? null : `${label.toLowerCase()} $${o.prices[key]}`,
    ),
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : "the shipped entry";
}
