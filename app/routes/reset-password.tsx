// /reset-password: ask for a reset link by email (the answer never tells whether an account exists), and,
// opened from that link (?token=…), choose a new password. Every session of the account ends. No JS needed.
import { data, Form, Link, useNavigation } from "react-router";
import { z } from "zod";
import { confirmPasswordReset, requestPasswordReset } from "#worker/accounts/password-change";
import { PASSWORD_LENGTH } from "#worker/accounts/password-length";
import { sessionClearCookie } from "#worker/accounts/sessions";
import { Field, FormError } from "../components/Field";
import { NewPasswordField } from "../components/NewPasswordField";
import { SiteHeader } from "../components/SiteHeader";
import { formState } from "../lib/form-state";
import { formAction, parseForm } from "../lib/forms.server";
import { getSession } from "../lib/session.server";
import type { Route } from "./+types/reset-password";

export const meta: Route.MetaFunction = () => [
  { title: "Reset your password — Botmara" },
  // The token is in the URL: keep it out of other sites' Referer headers and out of search indexes.
  // ("same-origin", not "no-referrer": that makes browsers send Origin: null, which form posts must not.)
  { name: "referrer", content: "same-origin" },
  { name: "robots", content: "noindex" },
];

const Token = z.string().min(10).max(128);

const ResetAction = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("request"),
    email: z.string().trim().pipe(z.email().max(254)),
  }),
  z.object({
    intent: z.literal("confirm"),
    token: Token,
    newPassword: z.string().min(PASSWORD_LENGTH.min).max(PASSWORD_LENGTH.max),
  }),
]);

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const token = Token.safeParse(new URL(request.url).searchParams.get("token"));
  return {
    appName: env.APP_NAME ?? "Botmara",
    signedIn: Boolean(await getSession(request, env)),
    token: token.success ? token.data : null,
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  return formAction(async () => {
    const input = await parseForm(request, ResetAction);
    if (input.intent === "request") {
      await requestPasswordReset(env, input, request.headers, new URL(request.url).origin);
      return { requested: true as const };
    }
    await confirmPasswordReset(env, input);
    // Every session ended, this browser's too: the cookie goes with it.
    return data({ reset: true as const }, { headers: { "Set-Cookie": sessionClearCookie(request.url) } });
  }, request);
}

export default function ResetPassword({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const form = formState(actionData);
  const done = actionData as { requested?: true; reset?: true } | undefined;
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn={loaderData.signedIn && !done?.reset} />
      <main id="main" className="center-page">
        <div className="card narrow">
          {done?.reset ? (
            <>
              <h1>Your password is changed</h1>
              <p className="alert success" role="status">
                Every session of your account was logged out. Log in with your new password.
              </p>
              <p>
                <Link to="/login">Log in</Link>
              </p>
            </>
          ) : loaderData.token ? (
            <>
              <h1>Choose a new password</h1>
              <FormError message={form.fields.newPassword ? null : form.error} />
              <Form method="post" className="stack">
                <input type="hidden" name="intent" value="confirm" />
                <input type="hidden" name="token" value={loaderData.token} />
                <NewPasswordField error={form.fields.newPassword} />
                <button type="submit" disabled={busy}>
                  Set the new password
                </button>
              </Form>
              <p className="muted">
                This link works once, for an hour. Expired?{" "}
                <Link to="/reset-password">Ask for a new one</Link>.
              </p>
            </>
          ) : done?.requested ? (
            <>
              <h1>Check your inbox</h1>
              <p className="alert success" role="status">
                If an account uses that address, we sent it a link to choose a new password. It works once,
                for an hour.
              </p>
              <p>
                <Link to="/login">Back to log in</Link>
              </p>
            </>
          ) : (
            <>
              <h1>Reset your password</h1>
              <FormError message={form.fields.email ? null : form.error} />
              <Form method="post" className="stack">
                <input type="hidden" name="intent" value="request" />
                <Field
                  label="Email"
                  name="email"
                  type="email"
                  autoComplete="email"
                  required
                  maxLength={254}
                  defaultValue={form.values.email}
                  error={form.fields.email}
                />
                <button type="submit" disabled={busy}>
                  Mail me a reset link
                </button>
              </Form>
              <p className="muted">
                Remembered it? <Link to="/login">Log in</Link>
              </p>
            </>
          )}
        </div>
      </main>
    </>
  );
}
