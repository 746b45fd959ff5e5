import { Form, Link, redirect, useNavigation } from "react-router";
import { z } from "zod";
import { PASSWORD_LENGTH } from "#worker/accounts/password-length";
import { signUp } from "#worker/accounts/service";
import { sessionSetCookie } from "#worker/accounts/sessions";
import { Field, FormError } from "../components/Field";
import { NewPasswordField } from "../components/NewPasswordField";
import { SiteHeader } from "../components/SiteHeader";
import { formAction, parseForm } from "../lib/forms.server";
import { getSession } from "../lib/session.server";
import type { Route } from "./+types/signup";

export const meta: Route.MetaFunction = () => [{ title: "Sign up — Botmara" }];

const SignupForm = z.object({
  email: z.email("Enter a valid email address.").max(254),
  password: z
    .string()
    .min(PASSWORD_LENGTH.min, `Use at least ${PASSWORD_LENGTH.min} characters.`)
    .max(PASSWORD_LENGTH.max),
});

export async function loader({ request, context }: Route.LoaderArgs) {
  if (await getSession(request, context.cloudflare.env)) throw redirect("/dashboard");
  return { appName: context.cloudflare.env.APP_NAME ?? "Botmara" };
}

export async function action({ request, context }: Route.ActionArgs) {
  return formAction(async () => {
    const input = await parseForm(request, SignupForm);
    const origin = new URL(request.url).origin;
    const { token, expiresAt } = await signUp(context.cloudflare.env, input, request, origin);
    return redirect("/dashboard/keys", {
      headers: { "Set-Cookie": sessionSetCookie(request.url, token, expiresAt) },
    });
  });
}

export default function Signup({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const error = actionData && "error" in actionData ? actionData.error : null;
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn={false} />
      <main id="main" className="center-page">
        <div className="card narrow">
          <h1>Create your account</h1>
          <FormError message={error && !error.param ? error.message : null} />
          <Form method="post" className="stack">
            <Field
              label="Email"
              name="email"
              type="email"
              autoComplete="email"
              required
              autoFocus
              error={error?.param === "email" ? error.message : null}
            />
            <NewPasswordField
              label="Password"
              name="password"
              error={error?.param === "password" ? error.message : null}
            />
            <button type="submit" disabled={busy}>
              {busy ? "Creating…" : "Sign up"}
            </button>
          </Form>
          <p className="muted">
            By signing up you accept our <Link to="/privacy">privacy policy</Link>. Content logging and
            training use start <strong>off</strong>.
          </p>
          <p className="muted">
            Have an account? <Link to="/login">Log in</Link>
          </p>
        </div>
      </main>
    </>
  );
}
