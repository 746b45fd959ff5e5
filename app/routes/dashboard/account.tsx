// /dashboard/account: the login email (verified or not), changing it or the password (both need the current
// password: sudo mode), the second factor (its own page), and every active session — device, approximate place
// when Cloudflare gave one, created, last seen — each revocable. The same services as the API; no JS needed.
import { Form, Link, useNavigation } from "react-router";
import { z } from "zod";
import { changePassword } from "#worker/accounts/password-change";
import { PASSWORD_LENGTH } from "#worker/accounts/password-length";
import { factorStatus } from "#worker/accounts/second-factor/factors";
import { getAccount } from "#worker/accounts/service";
import { endOtherSessions, endSessionById, listSessions } from "#worker/accounts/sessions";
import { getDb } from "#worker/db";
import { notFound } from "#worker/errors";
import { rectify } from "#worker/privacy/rectification";
import { Field, FormError } from "../../components/Field";
import { NewPasswordField } from "../../components/NewPasswordField";
import { formState } from "../../lib/form-state";
import { formAction, parseForm } from "../../lib/forms.server";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/account";

export const meta: Route.MetaFunction = () => [{ title: "Account — Botmara" }];

const AccountAction = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("email"),
    email: z.string().trim().pipe(z.email().max(254)),
    password: z.string().min(1).max(PASSWORD_LENGTH.max),
  }),
  z.object({
    intent: z.literal("password"),
    currentPassword: z.string().min(1).max(PASSWORD_LENGTH.max),
    newPassword: z.string().min(PASSWORD_LENGTH.min).max(PASSWORD_LENGTH.max),
  }),
  z.object({ intent: z.literal("logout-others") }),
  z.object({ intent: z.literal("end-session"), id: z.string().min(1).max(64) }),
]);

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  const account = await getAccount(db, session.accountId);
  const factors = await factorStatus(db, session.accountId);
  return {
    email: account.email,
    emailVerified: account.emailVerified,
    sessions: await listSessions(db, session),
    secondFactor: { totp: factors.totp, passkeys: factors.passkeys.length },
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  return formAction(async () => {
    const input = await parseForm(request, AccountAction);
    if (input.intent === "email") {
      const result = await rectify(
        env,
        session,
        { email: input.email, password: input.password },
        request.headers,
        new URL(request.url).origin,
      );
      return { done: "email" as const, pendingEmail: result.pendingEmail };
    }
    if (input.intent === "password") {
      await changePassword(env, session, input, request.headers);
      return { done: "password" as const };
    }
    if (input.intent === "end-session") {
      if (!(await endSessionById(getDb(env.DB), session.accountId, input.id))) throw notFound("Session");
      return { done: "end-session" as const };
    }
    await endOtherSessions(getDb(env.DB), session.accountId, session.sessionHash);
    return { done: "logout-others" as const };
  }, request);
}

const DONE = {
  password: "Your password is changed. Every other session was logged out.",
  "logout-others": "Every other session of your account is logged out. This one stays.",
  "end-session": "That session is logged out.",
};

/** "Firefox on macOS" from a User-Agent: enough to tell sessions apart, no parser needed. */
function deviceName(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrome\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : /curl\//i.test(userAgent)
            ? "curl"
            : "A browser";
  const system = /Android/.test(userAgent)
    ? "Android"
    : /iPhone|iPad/.test(userAgent)
      ? "iOS"
      : /Mac OS X|Macintosh/.test(userAgent)
        ? "macOS"
        : /Windows/.test(userAgent)
          ? "Windows"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  return system ? `${browser} on ${system}` : browser;
}

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

export default function Account({ loaderData, actionData }: Route.ComponentProps) {
  const navigation = useNavigation();
  const busy = (intent: string) => navigation.formData?.get("intent") === intent;
  const form = formState(actionData);
  const done = actionData as {
    done?: "email" | "password" | "logout-others" | "end-session";
    pendingEmail?: string | null;
  };
  const { secondFactor } = loaderData;
  return (
    <>
      <h1>Account</h1>
      {done?.done === "email" ? (
        <p className="alert success" role="status">
          {done.pendingEmail
            ? `Your email changes to ${done.pendingEmail} once you use the link we sent there (valid 24 hours). We told your current address too.`
            : "That is already your email address."}
        </p>
      ) : done?.done ? (
        <p className="alert success" role="status">
          {DONE[done.done]}
        </p>
      ) : null}
      <FormError message={Object.keys(form.fields).length ? null : form.error} />

      <section className="card" aria-labelledby="login-email">
        <h2 id="login-email">Login email</h2>
        <p>
          {loaderData.email}{" "}
          {loaderData.emailVerified ? (
            <span className="badge">verified</span>
          ) : (
            <span className="badge off">not verified</span>
          )}
        </p>
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="email" />
          <Field
            label="New email"
            name="email"
            type="email"
            autoComplete="email"
            required
            maxLength={254}
            defaultValue={form.values.email}
            error={form.fields.email}
          />
          <Field
            label="Current password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            maxLength={PASSWORD_LENGTH.max}
            error={form.fields.password}
          />
          <div>
            <button type="submit" className="secondary" disabled={busy("email")}>
              Change email
            </button>
          </div>
        </Form>
      </section>

      <section className="card" aria-labelledby="change-password">
        <h2 id="change-password">Password</h2>
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="password" />
          <Field
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            required
            maxLength={PASSWORD_LENGTH.max}
            error={form.fields.currentPassword}
          />
          <NewPasswordField error={form.fields.newPassword} />
          <div>
            <button type="submit" className="secondary" disabled={busy("password")}>
              Change password
            </button>
          </div>
        </Form>
      </section>

      <section className="card" aria-labelledby="second-factor">
        <h2 id="second-factor">Second factor</h2>
        <p>
          {secondFactor.totp || secondFactor.passkeys ? (
            <>
              <span className="badge">on</span>{" "}
              {[
                secondFactor.totp ? "authenticator app" : null,
                secondFactor.passkeys
                  ? `${secondFactor.passkeys} passkey${secondFactor.passkeys === 1 ? "" : "s"}`
                  : null,
              ]
                .filter(Boolean)
                .join(" and ")}
            </>
          ) : (
            <>
              <span className="badge off">off</span> Logging in needs only your password.
            </>
          )}
        </p>
        <p>
          <Link to="/dashboard/account/two-factor">Manage your second factor</Link>
        </p>
      </section>

      <section className="card" aria-labelledby="sessions">
        <h2 id="sessions">Sessions</h2>
        <ul className="stack" aria-label="Active sessions">
          {loaderData.sessions.map((s) => (
            <li key={s.id}>
              <strong>{deviceName(s.userAgent)}</strong>
              {s.current ? <span className="badge"> this device</span> : null}
              <br />
              <span className="muted">
                {s.place ? `${s.place} · ` : ""}signed in {when(s.createdAt)} · last seen {when(s.lastSeenAt)}
              </span>
              {s.current ? null : (
                <Form method="post" className="inline">
                  <input type="hidden" name="intent" value="end-session" />
                  <input type="hidden" name="id" value={s.id} />
                  <button type="submit" className="secondary" disabled={busy("end-session")}>
                    Log out this session
                  </button>
                </Form>
              )}
            </li>
          ))}
        </ul>
        <p className="muted">
          Lost a device, or logged in somewhere you should not have? End every session but this one.
        </p>
        <Form method="post">
          <input type="hidden" name="intent" value="logout-others" />
          <button type="submit" className="danger" disabled={busy("logout-others")}>
            Log out everywhere else
          </button>
        </Form>
      </section>
    </>
  );
}
