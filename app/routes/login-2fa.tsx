// /login/2fa: the second step of a login whose account has a second factor. A code from the authenticator app
// or a recovery code works without JavaScript; a passkey needs it. The pending-login cookie names the login.
import { Form, Link, redirect, useNavigation } from "react-router";
import { z } from "zod";
import { clearPendingLoginCookie, pendingLogin } from "#worker/accounts/second-factor/challenges";
import { secondFactorMethods } from "#worker/accounts/second-factor/factors";
import { completeLoginWithCode } from "#worker/accounts/second-factor/login";
import { sessionSetCookie } from "#worker/accounts/sessions";
import { getDb } from "#worker/db";
import { Field, FormError } from "../components/Field";
import { PasskeyButton } from "../components/PasskeyButton";
import { SiteHeader } from "../components/SiteHeader";
import { formState } from "../lib/form-state";
import { formAction, parseForm } from "../lib/forms.server";
import { safeNext } from "../lib/session.server";
import type { Route } from "./+types/login-2fa";

export const meta: Route.MetaFunction = () => [{ title: "Second factor — Botmara" }];

const CodeForm = z.object({ code: z.string().trim().min(6, "Enter the code.").max(40) });

/** Six digits are the app's code; anything longer is a recovery code. */
const asFactor = (code: string) =>
  /^\d{3} ?\d{3}$/.test(code) ? { code: code.replace(" ", "") } : { recoveryCode: code };

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const db = getDb(env.DB);
  const next = safeNext(new URL(request.url).searchParams.get("next"));
  const pending = await pendingLogin(db, request).catch(() => null);
  if (!pending) throw redirect(`/login?next=${encodeURIComponent(next)}`);
  return {
    appName: env.APP_NAME ?? "Botmara",
    methods: await secondFactorMethods(db, pending.accountId),
    next,
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  return formAction(async () => {
    const { code } = await parseForm(request, CodeForm);
    const { env } = context.cloudflare;
    const result = await completeLoginWithCode(env, request, asFactor(code));
    const headers = new Headers();
    headers.append("Set-Cookie", sessionSetCookie(request.url, result.token, result.expiresAt));
    headers.append("Set-Cookie", clearPendingLoginCookie(request.url));
    return redirect(safeNext(new URL(request.url).searchParams.get("next")), { headers });
  }, request);
}

export default function LoginSecondFactor({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const { methods, next } = loaderData;
  const form = formState(actionData);
  const codeError = form.fields.code ?? form.fields.recoveryCode ?? null;
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn={false} />
      <main id="main" className="center-page">
        <div className="card narrow">
          <h1>Second factor</h1>
          <FormError message={codeError ? null : form.error} />
          {methods.includes("passkey") ? (
            <section className="stack" aria-labelledby="with-passkey">
              <h2 id="with-passkey">With a passkey</h2>
              <PasskeyButton mode={{ kind: "login", next }} label="Use a passkey" />
            </section>
          ) : null}
          <Form method="post" className="stack">
            <Field
              label={
                methods.includes("totp")
                  ? "Code from your authenticator app, or a recovery code"
                  : "Recovery code"
              }
              name="code"
              autoComplete="one-time-code"
              inputMode={methods.includes("totp") ? "numeric" : "text"}
              required
              autoFocus
              maxLength={40}
              error={codeError}
            />
            <button type="submit" disabled={busy}>
              {busy ? "Checking…" : "Continue"}
            </button>
          </Form>
          <p className="muted">
            Lost your device? Use one of the recovery codes you saved when you set it up.{" "}
            <Link to="/login">Start again</Link>
          </p>
        </div>
      </main>
    </>
  );
}
