// /legal/dpa: the data processing agreement (GDPR Art. 28), generated from configuration and the registry of
// processing. Anyone can read it; a signed-in customer accepts the version they read, recorded like consent
// (who, when, which version), and sees what they accepted before. Works without JavaScript.
import { Form, useNavigation } from "react-router";
import { z } from "zod";
import { getConfig } from "#worker/config";
import { getDb } from "#worker/db";
import { formatDateTime } from "#worker/format";
import { acceptDpa, currentDpa, dpaAcceptancesOf } from "#worker/legal/dpa";
import { DataTable } from "../components/DataTable";
import { FormError } from "../components/Field";
import { SiteHeader } from "../components/SiteHeader";
import { formState } from "../lib/form-state";
import { formAction, parseForm } from "../lib/forms.server";
import { getSession, requireUser } from "../lib/session.server";
import type { Route } from "./+types/legal-dpa";

export const meta: Route.MetaFunction = () => [{ title: "Data processing agreement — Botmara" }];

const Accept = z.object({ version: z.string().regex(/^[0-9a-f]{64}$/, "Open the agreement again.") });

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const config = getConfig(env);
  const session = await getSession(request, env);
  const dpa = await currentDpa(config);
  const accepted = session ? await dpaAcceptancesOf(getDb(env.DB), session.accountId) : [];
  return {
    appName: config.appName,
    signedIn: Boolean(session),
    dpa,
    accepted: accepted.map((a) => ({ ...a, at: a.at.toISOString(), current: a.version === dpa.version })),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  return formAction(async () => {
    const { version } = await parseForm(request, Accept);
    await acceptDpa(getDb(env.DB), getConfig(env), session, version);
    return { done: true as const };
  }, request);
}

export default function Dpa({ loaderData, actionData }: Route.ComponentProps) {
  const { dpa, accepted, signedIn } = loaderData;
  const busy = useNavigation().state === "submitting";
  const form = formState(actionData);
  const done = actionData && "done" in actionData;
  const acceptedCurrent = accepted.some((a) => a.current);
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn={signedIn} />
      <main id="main" className="prose">
        <h1>Data processing agreement</h1>
        <p className="muted">
          Version <code>{dpa.version.slice(0, 12)}</code> — generated from the service's running
          configuration; a change to any term is a new version. Subprocessors:{" "}
          <a href="/subprocessors">/subprocessors</a>.
        </p>
        {dpa.sections.map((s) => (
          <section key={s.id} id={s.id} aria-labelledby={`${s.id}-h`}>
            <h2 id={`${s.id}-h`}>{s.heading}</h2>
            {s.paragraphs.map((p) => (
              <p key={p}>{p}</p>
            ))}
          </section>
        ))}
        <section aria-labelledby="accept-h" className="card block">
          <h2 id="accept-h">Accept</h2>
          {done ? (
            <p className="alert success" role="status">
              Accepted and recorded. You will be told by email before the subprocessors change.
            </p>
          ) : null}
          <FormError message={form.error} />
          {!signedIn ? (
            <p>
              <a href="/login?next=/legal/dpa">Sign in</a> to accept this agreement for your account.
            </p>
          ) : acceptedCurrent ? (
            <p>Your account accepted this version.</p>
          ) : (
            <Form method="post">
              <input type="hidden" name="version" value={dpa.version} />
              <p>Accepting records your verified email address, the time and this version.</p>
              <button type="submit" disabled={busy}>
                Accept this agreement for my account
              </button>
            </Form>
          )}
          {accepted.length ? (
            <DataTable
              caption="Acceptances by your account, newest first"
              columns={["When", "By", "Version"]}
            >
              {accepted.map((a) => (
                <tr key={a.at}>
                  <td>{formatDateTime(a.at)}</td>
                  <td>{a.acceptedBy}</td>
                  <td>
                    <code>{a.version.slice(0, 12)}</code> {a.current ? "(current)" : "(earlier)"}
                  </td>
                </tr>
              ))}
            </DataTable>
          ) : null}
        </section>
      </main>
    </>
  );
}
