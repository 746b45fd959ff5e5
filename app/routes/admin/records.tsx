// /admin/records, for operators: the records of processing activities (GDPR Art. 30), generated from the data
// holders' declarations — the same registry the export and the policy read — printable as they are, and a
// form that notes in the operator audit when they were provided to an authority.
import { Form, Link, useNavigation } from "react-router";
import { z } from "zod";
import { getConfig } from "#worker/config";
import { getDb } from "#worker/db";
import { forbidden } from "#worker/errors";
import { recordOperatorAction } from "#worker/operators/audit";
import { processingRecords } from "#worker/privacy/records";
import { Facts } from "../../components/Facts";
import { Field, FormError } from "../../components/Field";
import { SiteHeader } from "../../components/SiteHeader";
import { formState } from "../../lib/form-state";
import { formAction, parseForm } from "../../lib/forms.server";
import { isAdmin, requireOperator, requireUser } from "../../lib/session.server";
import type { Route } from "./+types/records";

export const meta: Route.MetaFunction = () => [{ title: "Records of processing — Operators — Botmara" }];

const Provided = z.object({
  recipient: z
    .string()
    .trim()
    .min(2, "Name who received the records (e.g. a supervisory authority).")
    .max(200, "Keep it under 200 characters."),
});

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  await requireOperator(request, env);
  const config = getConfig(env);
  return {
    appName: config.appName,
    controller: {
      name: config.appName,
      contact: config.privacyContact,
      policyVersion: config.policy.version,
    },
    generatedAt: new Date().toISOString(),
    records: processingRecords(config),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  return formAction(async () => {
    if (!isAdmin(env, session)) throw forbidden("Operators only.");
    const { recipient } = await parseForm(request, Provided);
    const config = getConfig(env);
    await recordOperatorAction(
      getDb(env.DB),
      { accountId: session.accountId, email: session.email },
      {
        action: "records.provided",
        detail: {
          recipient,
          policyVersion: config.policy.version,
          records: processingRecords(config).length,
        },
      },
    );
    return { done: true as const };
  }, request);
}

export default function Records({ loaderData, actionData }: Route.ComponentProps) {
  const { controller, records, generatedAt } = loaderData;
  const busy = useNavigation().state === "submitting";
  const form = formState(actionData);
  const done = actionData && "done" in actionData;
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn />
      <main id="main" className="content">
        <p>
          <Link to="/admin">← Operators</Link>
        </p>
        <h1>Records of processing activities</h1>
        <p className="muted">
          GDPR Art. 30, generated {generatedAt.slice(0, 10)} from the data holders' own declarations — the
          same registry the data export and the privacy policy are built from. Print this page as it is.
        </p>
        <section className="card block" aria-labelledby="controller">
          <h2 id="controller">Controller</h2>
          <Facts
            rows={[
              ["Name", controller.name],
              ["Privacy contact", controller.contact],
              ["Policy version", controller.policyVersion],
              [
                "Data subjects",
                "Account holders; for WhatsApp, the account holders' own customers (processed on their behalf)",
              ],
              [
                "Security measures",
                "Hashed keys and sessions; content, WhatsApp messages and secrets encrypted with a per-account key destroyed on erasure; HTTPS only; every query scoped to the account",
              ],
            ]}
          />
        </section>
        {records.map((r) => (
          <section key={r.holder} className="card block" aria-labelledby={`rec-${r.holder}`}>
            <h2 id={`rec-${r.holder}`}>
              {r.what} <span className="muted mono">({r.holder})</span>
            </h2>
            <Facts
              rows={[
                ["Purpose", r.purpose],
                ["Legal basis", r.legalBasis],
                ["Data categories", r.categories.join("; ")],
                ["Recipients", r.recipients.join("; ")],
                ["Retention", r.retention],
                ["Transfers", r.transfers],
                ["Where", r.location],
              ]}
            />
          </section>
        ))}
        <section className="block" aria-labelledby="provided">
          <h2 id="provided">Provided to an authority</h2>
          {done ? (
            <p className="alert success" role="status">
              Noted in the operator audit.
            </p>
          ) : null}
          <FormError message={form.error} />
          <Form method="post" className="card stack">
            <Field
              label="Provided to"
              name="recipient"
              required
              maxLength={200}
              hint="Who received these records, e.g. the supervisory authority that asked for them."
              error={form.fields.recipient}
            />
            <div>
              <button type="submit" disabled={busy}>
                Note in the operator audit
              </button>
            </div>
          </Form>
        </section>
      </main>
    </>
  );
}
