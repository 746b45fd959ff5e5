import { Form, Link, redirect, useNavigation } from "react-router";
import { z } from "zod";
import { pendingLoginCookie } from "#worker/accounts/second-factor/challenges";
import { logIn } from "#worker/accounts/service";
import { endRequestSession, sessionClearCookie, sessionSetCookie } from "#worker/accounts/sessions";
import { getDb } from "#worker/db";
import { Field, FormError } from "../components/Field";
import { SiteHeader } from "../components/SiteHeader";
import { formAction, parseForm } from "../lib/forms.server";
import { getSession, safeNext } from "../lib/session.server";
import type { Route } from "./+types/login";

export const meta: Route.MetaFunction = () => [{ title: "Log in — Botmara" }];

const LoginForm = z.object({
  email: z.string().trim().min(1, "Enter your email."),
  password: z.string().min(1, "Enter your password."),
});

export async function loader({ request, context }: Route.LoaderArgs) {
  const url = new URL(request.url);
  if (await getSession(request, context.cloudflare.env))
    throw redirect(safeNext(url.searchParams.get("next")));
  return { appName: context.cloudflare.env.APP_NAME ?? "Botmara" };
}

export async function action({ request, context }: Route.ActionArgs) {
  return formAction(async () => {
    const input = await parseForm(request, LoginForm);
    const { env } = context.cloudflare;
    const result = await logIn(env, input, request);
    await endRequestSession(getDb(env.DB), request); // the session this login replaces ends with it
    const next = safeNext(new URL(request.url).searchParams.get("next"));
    if (result.kind === "second_factor") {
      // No session yet: the second-factor page finishes the login, then goes on to `next`.
      const headers = new Headers();
      headers.append("Set-Cookie", pendingLoginCookie(request.url, result.token, result.expiresAt));
      headers.append("Set-Cookie", sessionClearCookie(request.url));
      return redirect(`/login/2fa?next=${encodeURIComponent(next)}`, { headers });
    }
    return redirect(next, {
      headers: { "Set-Cookie": sessionSetCookie(request.url, result.token, result.expiresAt) },
    });
  });
}

export default function Login({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn={false} />
      <main id="main" className="center-page">
        <div className="card narrow">
          <h1>Log in</h1>
          <FormError message={actionData && "error" in actionData ? actionData.error.message : null} />
          <Form method="post" className="stack">
            <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus />
            <Field
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
            />
            <button type="submit" disabled={busy}>
              {busy ? "Logging in…" : "Log in"}
            </button>
          </Form>
          <p className="muted">
            <Link to="/reset-password">Forgot your password?</Link>
          </p>
          <p className="muted">
            New here? <Link to="/signup">Create an account</Link>
          </p>
        </div>
      </main>
    </>
  );
}
