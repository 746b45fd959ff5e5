// /dashboard/settings: content logging, retention, notices and training consent, and the consent history.
// The same services as PUT /api/settings/privacy; every change is recorded with channel "dashboard".
import { Form, useNavigation } from "react-router";
import { z } from "zod";
import { dataPolicies, policyChoices } from "#worker/ai/data-policy/rules";
import { policy } from "#worker/config";
import { getDb } from "#worker/db";
import { formatDateTime } from "#worker/format";
import { CONSENT_WORDING } from "#worker/settings/consent-wording";
import { changePrivacySettings } from "#worker/settings/service";
import { consentHistory, readPrivacySettings } from "#worker/settings/store";
import { DataTable } from "../../components/DataTable";
import { FormError, SelectField } from "../../components/Field";
import { formAction, parseForm } from "../../lib/forms.server";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/settings";

export const meta: Route.MetaFunction = () => [{ title: "Privacy settings — Botmara" }];

/** A checkbox posts "true" after its hidden "false", so the last value wins and unticked means false. */
const flag = z.enum(["true", "false"]).transform((v) => v === "true");

const SettingsAction = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("save"),
    contentLogging: flag,
    retentionDays: z.coerce.number().pipe(z.literal(policy.retentionChoicesDays)),
    notices: flag,
  }),
  z.object({ intent: z.literal("consent"), trainingConsent: flag }),
  z.object({ intent: z.literal("dataPolicy"), dataPolicy: z.enum(dataPolicies) }),
]);

const settingNames: Record<string, string> = {
  trainingConsent: "Training consent",
  contentLogging: "Content logging",
  notices: "Notices",
};

export async function loader({ request, context }: Route.LoaderArgs) {
  const session = await requireUser(request, context.cloudflare.env);
  const db = getDb(context.cloudflare.env.DB);
  const [settings, history] = await Promise.all([
    readPrivacySettings(db, session.accountId),
    consentHistory(db, session.accountId, 20),
  ]);
  return {
    settings: { ...settings, updatedAt: settings.updatedAt?.toISOString() ?? null },
    history: history.map((e) => ({ ...e, at: e.at.toISOString() })),
    choices: [...policy.retentionChoicesDays],
    policyVersion: policy.version,
    dataPolicyChoices: policyChoices(),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  return formAction(async () => {
    const { intent, ...patch } = await parseForm(request, SettingsAction);
    await changePrivacySettings(getDb(env.DB), env, session.accountId, patch, "dashboard");
    return { saved: intent };
  });
}

function Checkbox({ name, label, checked }: { name: string; label: string; checked: boolean }) {
  return (
    <label className="check">
      <input type="hidden" name={name} value="false" />
      <input type="checkbox" name={name} value="true" defaultChecked={checked} />
      {label}
    </label>
  );
}

export default function Settings({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const { settings, history, choices, dataPolicyChoices } = loaderData;
  const error = actionData && "error" in actionData ? actionData.error.message : null;
  const saved = actionData && "saved" in actionData ? actionData.saved : null;
  return (
    <>
      <h1>Privacy settings</h1>
      <FormError message={error} />
      {saved ? (
        <div className="alert success" role="status">
          {saved === "consent"
            ? "Your training choice is saved."
            : saved === "dataPolicy"
              ? "Your data policy is saved: it applies to your next request."
              : "Your settings are saved."}
        </div>
      ) : null}

      <div className="card">
        <h2>Content logging</h2>
        <p className="muted">
          Off by default. When off, we keep no prompt or response — only usage metadata (model, tokens, cost,
          status) — and a WhatsApp message waits, encrypted, only until it is answered (at most 24 hours).
          When on, content is encrypted with a key unique to your account and deleted automatically after the
          period you choose.
        </p>
        <Form
          method="post"
          className="stack"
          key={`${settings.contentLogging}-${settings.retentionDays}-${settings.notices}`}
        >
          <input type="hidden" name="intent" value="save" />
          <Checkbox
            name="contentLogging"
            label={CONSENT_WORDING.contentLogging}
            checked={settings.contentLogging}
          />
          <label>
            Keep logged content for
            <select name="retentionDays" defaultValue={String(settings.retentionDays)}>
              {choices.map((d) => (
                <option key={d} value={d}>
                  {d} day{d === 1 ? "" : "s"}
                </option>
              ))}
            </select>
          </label>
          <Checkbox name="notices" label={CONSENT_WORDING.notices} checked={settings.notices} />
          <div>
            <button type="submit" disabled={busy}>
              Save settings
            </button>
          </div>
        </Form>
      </div>

      <div className="card">
        <h2>Training consent</h2>
        <p>
          {settings.trainingConsent ? (
            <span className="badge">given</span>
          ) : (
            <span className="badge off">not given</span>
          )}{" "}
          {settings.trainingConsent
            ? "Content logged from now on may be included in model training data. WhatsApp conversations never are."
            : "Your content is never used for training."}
        </p>
        <p className="muted">What you agree to: “{CONSENT_WORDING.trainingConsent}”</p>
        <Form method="post">
          <input type="hidden" name="intent" value="consent" />
          <input type="hidden" name="trainingConsent" value={settings.trainingConsent ? "false" : "true"} />
          <button type="submit" className={settings.trainingConsent ? "danger" : "secondary"} disabled={busy}>
            {settings.trainingConsent ? "Withdraw training consent" : "Give training consent"}
          </button>
        </Form>
      </div>

      <div className="card">
        <h2>Which providers may see your requests</h2>
        <p className="muted">
          Each AI provider publishes whether it trains on API data, how long it keeps it and where it
          processes it (the models page lists each one). A request is only ever sent to a provider that
          satisfies your choice — fallbacks included; any other is refused (403) and nothing is sent. Each API
          key can narrow this further.
        </p>
        <Form method="post" className="stack" key={settings.dataPolicy}>
          <input type="hidden" name="intent" value="dataPolicy" />
          <SelectField label="Data policy" name="dataPolicy" defaultValue={settings.dataPolicy}>
            {dataPolicyChoices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </SelectField>
          <div>
            <button type="submit" disabled={busy}>
              Save data policy
            </button>
          </div>
        </Form>
      </div>

      <h2>Consent history</h2>
      <DataTable
        caption="Changes to your consent switches, newest first"
        columns={["When", "Setting", "Change", "Policy version", "Where", "Wording agreed to"]}
        empty={
          history.length === 0
            ? "No changes yet: the defaults apply (logging off, training consent off)."
            : null
        }
      >
        {history.map((e) => (
          <tr key={`${e.at}-${e.setting}`}>
            <td>{formatDateTime(e.at)}</td>
            <td>{settingNames[e.setting] ?? e.setting}</td>
            <td>
              {e.oldValue ? "on" : "off"} → {e.newValue ? "on" : "off"}
            </td>
            <td>{e.policyVersion}</td>
            <td>{e.channel}</td>
            <td>{e.wording ?? "(not recorded before wordings were kept)"}</td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}
