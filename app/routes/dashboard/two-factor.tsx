// /dashboard/account/two-factor: the second factor. An authenticator app (set up, proven by a code, removed)
// works without JavaScript; passkeys need it. Ten recovery codes come with the first factor and are shown once.
// Changes need sudo: the password in the form, or a re-authentication in the last ten minutes. Operators are
// sent here while REQUIRE_2FA_FOR_OPERATORS asks them for a second factor, and go on to `next` afterwards.
import { useState } from "react";
import { Form, Link, useNavigation, useRevalidator } from "react-router";
import { z } from "zod";
import { isOperator, operatorNeedsSecondFactor } from "#worker/accounts/middleware";
import { throttledFactorCheck } from "#worker/accounts/second-factor/check";
import {
  afterFactorRemoved,
  confirmTotp,
  factorStatus,
  removeTotpFactor,
} from "#worker/accounts/second-factor/factors";
import { removePasskey } from "#worker/accounts/second-factor/passkeys";
import { issueRecoveryCodes } from "#worker/accounts/second-factor/recovery-codes";
import { pendingTotpSecret, startTotp } from "#worker/accounts/second-factor/totp";
import { inSudoWindow, requireSudo, requireSudoAndRecord } from "#worker/accounts/sudo";
import { getConfig } from "#worker/config";
import { getDb } from "#worker/db";
import { notFound } from "#worker/errors";
import { Field, FormError } from "../../components/Field";
import { PasskeyButton } from "../../components/PasskeyButton";
import { formState } from "../../lib/form-state";
import { formAction, parseForm } from "../../lib/forms.server";
import { requireUser, safeNext } from "../../lib/session.server";
import type { Route } from "./+types/two-factor";

export const meta: Route.MetaFunction = () => [{ title: "Second factor — Botmara" }];

const Password = z.string().max(1024).optional();
const TwoFactorAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("totp-start"), password: Password }),
  z.object({
    intent: z.literal("totp-confirm"),
    code: z
      .string()
      .trim()
      .regex(/^\d{3} ?\d{3}$/, "Enter the 6-digit code."),
  }),
  z.object({ intent: z.literal("totp-remove"), password: Password }),
  z.object({ intent: z.literal("codes-new"), password: Password }),
  z.object({ intent: z.literal("passkey-remove"), id: z.string().min(1).max(1024), password: Password }),
]);

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const sudo = inSudoWindow(session);
  const next = new URL(request.url).searchParams.get("next");
  const config = getConfig(env);
  return {
    status: await factorStatus(getDb(env.DB), session.accountId),
    sudo,
    // The secret being set up is shown again only within the sudo window that started it.
    pendingSecret: sudo ? await pendingTotpSecret(env, session.accountId) : null,
    operatorMustSetUp: isOperator(config, session) && operatorNeedsSecondFactor(config, session),
    next: next ? safeNext(next) : null,
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  return formAction(async () => {
    const input = await parseForm(request, TwoFactorAction);
    const { headers } = request;
    switch (input.intent) {
      case "totp-start": {
        await requireSudoAndRecord(env, session, input.password || undefined, headers);
        return { done: "totp-start" as const, ...(await startTotp(env, session)) };
      }
      case "totp-confirm": {
        await requireSudo(env, session, undefined, headers);
        let recoveryCodes: string[] | null = null;
        await throttledFactorCheck(env, session.accountId, headers, async () => {
          recoveryCodes = await confirmTotp(env, db, session, input.code);
          return recoveryCodes !== null;
        });
        return { done: "totp-confirm" as const, recoveryCodes: recoveryCodes! };
      }
      case "totp-remove": {
        await requireSudo(env, session, input.password || undefined, headers);
        if (!(await removeTotpFactor(db, session.accountId))) throw notFound("Authenticator app");
        return { done: "totp-remove" as const };
      }
      case "codes-new": {
        await requireSudo(env, session, input.password || undefined, headers);
        return { done: "codes-new" as const, recoveryCodes: await issueRecoveryCodes(db, session.accountId) };
      }
      case "passkey-remove": {
        await requireSudo(env, session, input.password || undefined, headers);
        await removePasskey(db, session.accountId, input.id);
        await afterFactorRemoved(db, session.accountId);
        return { done: "passkey-remove" as const };
      }
    }
  }, request);
}

type Done = {
  done?: "totp-start" | "totp-confirm" | "totp-remove" | "codes-new" | "passkey-remove";
  secret?: string;
  otpauthUrl?: string;
  recoveryCodes?: string[];
};

function SudoPassword({ sudo, id, error }: { sudo: boolean; id: string; error?: string | undefined }) {
  if (sudo) return null;
  return (
    <Field
      label="Current password"
      name="password"
      id={id}
      type="password"
      autoComplete="current-password"
      required
      maxLength={1024}
      error={error}
    />
  );
}

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <section className="card" aria-labelledby="recovery-codes">
      <h2 id="recovery-codes">Your recovery codes</h2>
      <p>
        Save these ten codes somewhere safe (a password manager, or on paper). Each works once, in place of a
        code from your app or a passkey. They are shown only now.
      </p>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

export default function TwoFactor({ loaderData, actionData }: Route.ComponentProps) {
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const [passkeyCodes, setPasskeyCodes] = useState<string[] | null>(null);
  const busy = (intent: string) => navigation.formData?.get("intent") === intent;
  const form = formState(actionData);
  const done = (actionData ?? {}) as Done;
  const { status, sudo, next } = loaderData;
  const secret = done.secret ?? loaderData.pendingSecret;
  const hasFactor = status.totp || status.passkeys.length > 0;
  return (
    <>
      <h1>Second factor</h1>
      <p>
        <Link to="/dashboard/account">Back to your account</Link>
      </p>
      {loaderData.operatorMustSetUp ? (
        <p className="alert" role="status">
          Operators need a second factor: set up an authenticator app or a passkey before the admin pages
          open.
        </p>
      ) : null}
      {hasFactor && next ? (
        <p className="alert success" role="status">
          Your second factor is on. <Link to={next}>Continue</Link>
        </p>
      ) : null}
      <FormError message={Object.keys(form.fields).length ? null : form.error} />
      {done.recoveryCodes ? <RecoveryCodes codes={done.recoveryCodes} /> : null}
      {passkeyCodes ? <RecoveryCodes codes={passkeyCodes} /> : null}

      <section className="card" aria-labelledby="authenticator">
        <h2 id="authenticator">Authenticator app</h2>
        {status.totp ? (
          <>
            <p>
              <span className="badge">on</span> Logging in asks for a code from your app.
            </p>
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="totp-remove" />
              <SudoPassword sudo={sudo} id="totp-remove-password" error={form.fields.password} />
              <div>
                <button type="submit" className="danger" disabled={busy("totp-remove")}>
                  Remove the authenticator app
                </button>
              </div>
            </Form>
          </>
        ) : secret ? (
          <>
            <p>
              In your authenticator app, add an account with this key (or open the link on the phone that has
              the app), then enter the 6-digit code it shows.
            </p>
            <p>
              Key: <code data-testid="totp-secret">{secret}</code>
            </p>
            {done.otpauthUrl ? (
              <p>
                <a href={done.otpauthUrl}>Open in your authenticator app</a>
              </p>
            ) : null}
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="totp-confirm" />
              <Field
                label="Code from the app"
                name="code"
                autoComplete="one-time-code"
                inputMode="numeric"
                required
                maxLength={7}
                error={form.fields.code}
              />
              <div>
                <button type="submit" disabled={busy("totp-confirm")}>
                  Turn on
                </button>
              </div>
            </Form>
          </>
        ) : (
          <Form method="post" className="stack">
            <p>Use an app such as 1Password, Google Authenticator or Aegis. No JavaScript needed.</p>
            <input type="hidden" name="intent" value="totp-start" />
            <SudoPassword sudo={sudo} id="totp-start-password" error={form.fields.password} />
            <div>
              <button type="submit" disabled={busy("totp-start")}>
                Set up an authenticator app
              </button>
            </div>
          </Form>
        )}
      </section>

      <section className="card" aria-labelledby="passkeys">
        <h2 id="passkeys">Passkeys</h2>
        {status.passkeys.length ? (
          <ul className="stack">
            {status.passkeys.map((p) => (
              <li key={p.id}>
                <strong>{p.name}</strong> — added {p.createdAt.slice(0, 10)}
                {p.lastUsedAt ? `, last used ${p.lastUsedAt.slice(0, 10)}` : ", not used yet"}
                <Form method="post" className="inline">
                  <input type="hidden" name="intent" value="passkey-remove" />
                  <input type="hidden" name="id" value={p.id} />
                  <SudoPassword sudo={sudo} id={`passkey-remove-${p.id}`} />
                  <button type="submit" className="danger" disabled={busy("passkey-remove")}>
                    Remove {p.name}
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No passkeys yet.</p>
        )}
        <div className="stack">
          <Field label="Name for the new passkey" name="passkeyName" id="passkey-name" maxLength={60} />
          {sudo ? null : (
            <Field
              label="Current password"
              name="passkeyPassword"
              id="passkey-password"
              type="password"
              autoComplete="current-password"
              maxLength={1024}
            />
          )}
          <PasskeyButton
            mode={{ kind: "register", passwordInputId: "passkey-password", nameInputId: "passkey-name" }}
            label="Add a passkey"
            onDone={(result) => {
              if (Array.isArray(result.recoveryCodes)) setPasskeyCodes(result.recoveryCodes as string[]);
              void revalidator.revalidate();
            }}
          />
        </div>
      </section>

      {hasFactor ? (
        <section className="card" aria-labelledby="codes">
          <h2 id="codes">Recovery codes</h2>
          <p>{status.recoveryCodesLeft} of 10 unused. New codes replace the old ones.</p>
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="codes-new" />
            <SudoPassword sudo={sudo} id="codes-new-password" error={form.fields.password} />
            <div>
              <button type="submit" className="secondary" disabled={busy("codes-new")}>
                Make new recovery codes
              </button>
            </div>
          </Form>
        </section>
      ) : null}
    </>
  );
}
