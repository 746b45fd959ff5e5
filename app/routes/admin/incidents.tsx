// /admin/incidents, for operators: the breach clock. Record an incident with its detection time (the 72-hour
// clock to the authority starts there), see whom it concerns through the data holders, copy the Art. 33 draft,
// send the Art. 34 notices through the outbox, and record each step — append-only, in the operator audit.
import { Form, Link, useNavigation } from "react-router";
import { z } from "zod";
import { getConfig } from "#worker/config";
import { forbidden } from "#worker/errors";
import { formatDateTime } from "#worker/format";
import { affectedAccounts, incidentHolders } from "#worker/privacy/incidents/affected";
import { addStep, listIncidents, recordIncident } from "#worker/privacy/incidents/incidents";
import { authorityDraft, notifyCustomers } from "#worker/privacy/incidents/notices";
import { BREACH_CLOCK_HOURS } from "#worker/privacy/rights-requests/clock";
import { Facts } from "../../components/Facts";
import { Field, FormError, TextAreaField } from "../../components/Field";
import { SiteHeader } from "../../components/SiteHeader";
import { formState } from "../../lib/form-state";
import { formAction, parseForm, readForm } from "../../lib/forms.server";
import { isAdmin, requireOperator, requireUser } from "../../lib/session.server";
import { formatTimeLeft } from "../../lib/time-left";
import type { Route } from "./+types/incidents";

export const meta: Route.MetaFunction = () => [{ title: "Incidents — Operators — Botmara" }];

const Id = z.string().uuid();
const IncidentForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("record"),
    title: z.string().trim().min(3, "Name the incident in a few words.").max(200),
    // datetime-local posts "2026-12-06T05:30" (UTC, as the label says).
    detectedAt: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "Enter when you became aware of it (UTC).")
      .transform((v) => new Date(`${v}:00Z`)),
    description: z.string().trim().min(10, "Say what happened, in at least 10 characters.").max(4000),
  }),
  z.object({ intent: z.literal("authority_notified"), id: Id }),
  z.object({ intent: z.literal("notify_customers"), id: Id }),
  z.object({ intent: z.literal("closed"), id: Id }),
]);

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  await requireOperator(request, env);
  const config = getConfig(env);
  const now = Date.now();
  const list = await listIncidents(env);
  return {
    appName: config.appName,
    holders: incidentHolders(),
    incidents: await Promise.all(
      list.map(async (i) => {
        const affected = (await affectedAccounts(env, i.holders)).length;
        const notified = i.steps.find((s) => s.step === "authority_notified");
        return {
          id: i.id,
          title: i.title,
          description: i.description,
          holders: i.holders,
          detectedAt: i.detectedAt.toISOString(),
          dueAt: i.dueAt.toISOString(),
          recordedBy: i.recordedBy,
          msLeft: notified ? null : i.dueAt.getTime() - now,
          affected,
          draft: authorityDraft(config, i, affected),
          steps: i.steps.map((s) => ({ step: s.step, at: s.at.toISOString(), by: s.operatorEmail })),
        };
      }),
    ),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  return formAction(async () => {
    if (!isAdmin(env, session)) throw forbidden("Operators only.");
    // Every ticked box (parseForm keeps one value per name).
    const ticked = (await readForm(request.clone())).getAll("holders").map(String);
    const input = await parseForm(request, IncidentForm);
    const operator = { accountId: session.accountId, email: session.email };
    if (input.intent === "record") {
      const { intent: _, ...fields } = input;
      const id = await recordIncident(env, operator, { ...fields, holders: ticked });
      return { done: "recorded" as const, id };
    }
    if (input.intent === "notify_customers") {
      const sent = await notifyCustomers(env, getConfig(env), operator, input.id);
      return { done: "notified" as const, id: input.id, sent };
    }
    await addStep(env, operator, input.id, input.intent);
    return { done: input.intent, id: input.id };
  }, request);
}

const STEP_LABEL = {
  authority_notified: "Authority notified (Art. 33)",
  customers_notified: "Customers notified (Art. 34)",
  closed: "Closed",
} as const;

export default function Incidents({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const form = formState(actionData);
  const done = actionData && "done" in actionData ? actionData.done : null;
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn />
      <main id="main" className="content">
        <p>
          <Link to="/admin">← Operators</Link>
        </p>
        <h1>Incidents</h1>
        <p className="muted">
          A personal data breach goes to the supervisory authority within {BREACH_CLOCK_HOURS} hours of
          becoming aware of it (GDPR Art. 33). Every entry and step here is permanent and in the operator
          audit.
        </p>
        {done ? (
          <p className="alert success" role="status">
            Recorded.
          </p>
        ) : null}
        <FormError message={form.error} />
        {loaderData.incidents.map((i) => (
          <section key={i.id} className="card block" aria-labelledby={`inc-${i.id}`}>
            <h2 id={`inc-${i.id}`}>{i.title}</h2>
            <Facts
              rows={[
                ["Became aware", formatDateTime(i.detectedAt)],
                ["Authority notice due", formatDateTime(i.dueAt)],
                [
                  "Clock",
                  i.msLeft === null ? (
                    "authority notified"
                  ) : (
                    <span key="c" className={i.msLeft < 0 ? "badge bad" : undefined}>
                      {formatTimeLeft(i.msLeft)}
                    </span>
                  ),
                ],
                ["Data concerned", i.holders.join(", ")],
                ["Accounts concerned", String(i.affected)],
                ["Recorded by", i.recordedBy],
                ...i.steps.map((s): [string, string] => [
                  STEP_LABEL[s.step],
                  `${formatDateTime(s.at)} by ${s.by}`,
                ]),
              ]}
            />
            <details>
              <summary>Draft notice to the authority (Art. 33)</summary>
              <pre>{i.draft}</pre>
            </details>
            <div className="stack">
              {(["authority_notified", "notify_customers", "closed"] as const).map((intent) => (
                <Form method="post" key={intent}>
                  <input type="hidden" name="intent" value={intent} />
                  <input type="hidden" name="id" value={i.id} />
                  <button type="submit" className="secondary" disabled={busy}>
                    {intent === "authority_notified"
                      ? "Mark the authority notified"
                      : intent === "notify_customers"
                        ? `Send notices to ${i.affected} account${i.affected === 1 ? "" : "s"}`
                        : "Close"}
                  </button>
                </Form>
              ))}
            </div>
          </section>
        ))}
        <section className="block" aria-labelledby="record">
          <h2 id="record">Record an incident</h2>
          <Form method="post" className="card stack">
            <input type="hidden" name="intent" value="record" />
            <Field label="Title" name="title" required maxLength={200} error={form.fields.title} />
            <Field
              label="Became aware at (UTC)"
              name="detectedAt"
              type="datetime-local"
              required
              error={form.fields.detectedAt}
            />
            <TextAreaField
              label="What happened (no customer data)"
              name="description"
              rows={4}
              required
              maxLength={4000}
              error={form.fields.description}
            />
            <fieldset>
              <legend>Data concerned</legend>
              {loaderData.holders.map((h) => (
                <label key={h} className="check">
                  <input type="checkbox" name="holders" value={h} /> {h}
                </label>
              ))}
            </fieldset>
            <div>
              <button type="submit" disabled={busy}>
                Record and start the clock
              </button>
            </div>
          </Form>
        </section>
      </main>
    </>
  );
}
