// /confirm?token=…: the page behind every single-use link in a notice. Opening it only describes what the
// link does; the button POSTs to act, because mail scanners fetch links and must not confirm anything.
import { data, Form, Link, type ShouldRevalidateFunctionArgs, useNavigation } from "react-router";
import { z } from "zod";
import { getDb } from "#worker/db";
import { AppError } from "#worker/errors";
import { formatDateTime } from "#worker/format";
import { peekLinkToken } from "#worker/privacy/rights-requests/links";
import { NOTICE_LINK_PURPOSES, ownedRequest, useLink } from "#worker/privacy/rights-requests/service";
import { FormError } from "../components/Field";
import { SiteHeader } from "../components/SiteHeader";
import { formAction, parseForm } from "../lib/forms.server";
import { getSession } from "../lib/session.server";
import type { Route } from "./+types/confirm";

export const meta: Route.MetaFunction = () => [
  { title: "Confirm — Botmara" },
  // The token is in the URL: keep it out of other sites' Referer headers and out of search indexes.
  // ("same-origin", not "no-referrer": that makes browsers send Origin: null, which form posts must not.)
  { name: "referrer", content: "same-origin" },
  { name: "robots", content: "noindex" },
];

const Token = z.string().min(10).max(128);
const ConfirmForm = z.object({ token: Token });

type Described = { title: string; body: string; button: string; danger: boolean };

async function describe(env: Env, link: Awaited<ReturnType<typeof peekLinkToken>>): Promise<Described> {
  const request = () => ownedRequest(getDb(env.DB), link.accountId, link.requestId ?? "");
  switch (link.purpose) {
    case "verify_email":
      return {
        title: "Verify your email address",
        body: `Confirm that ${link.newEmail} belongs to your account.`,
        button: "Verify this address",
        danger: false,
      };
    case "email_revert":
      return {
        title: "This wasn't me: undo the email change",
        body: `Keep ${link.newEmail} as your account's email address (or put it back), cancel the change, and log out every session of the account. Then choose a new password: whoever asked knew it.`,
        button: "Undo the change and log out everywhere",
        danger: true,
      };
    case "password_reset":
      // Reset links open /reset-password; this page never uses them.
      throw new AppError(400, "invalid link");
    case "email_change":
      return {
        title: "Confirm your new email address",
        body: `Use ${link.newEmail} as the email address of your account, for logging in and for notices.`,
        button: "Use this email address",
        danger: false,
      };
    case "cancel_deletion": {
      const { executeAfter } = await request();
      return {
        title: "Cancel the deletion of your account",
        body: `Your account is scheduled for deletion at ${formatDateTime(executeAfter?.toISOString())}. Cancel it, and your account, API keys and sessions work again exactly as before.`,
        button: "Cancel the deletion",
        danger: false,
      };
    }
    case "confirm_request":
      return (await request()).type === "deletion"
        ? {
            title: "Confirm the deletion of your account",
            body: "A request to delete your account reached us by email. If you confirm, your API keys and sessions stop working at once and your data is erased; you receive a signed receipt. If it was not you, close this page: nothing happens.",
            button: "Confirm: delete my account",
            danger: true,
          }
        : {
            title: "Confirm your request for a copy of your data",
            body: "A request for a copy of your data reached us by email. If you confirm, we build the export and email you when it is ready to download from your dashboard. If it was not you, close this page: nothing happens.",
            button: "Confirm: send me my data",
            danger: false,
          };
    default:
      // A new link purpose must be described here before its links can be opened.
      return link.purpose satisfies never;
  }
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const token = Token.safeParse(new URL(request.url).searchParams.get("token"));
  const base = {
    appName: env.APP_NAME ?? "Botmara",
    signedIn: Boolean(await getSession(request, env)),
  };
  try {
    if (!token.success) throw new AppError(400, "invalid link");
    const link = await peekLinkToken(env, token.data, NOTICE_LINK_PURPOSES);
    return { ...base, token: token.data, link: await describe(env, link) };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return data({ ...base, token: null, link: null }, { status: 400 });
  }
}

const DONE: Record<string, string> = {
  access: "Confirmed. We are building your export and will email you when it is ready to download.",
  deletion:
    "Confirmed. Your account is being deleted; its keys and sessions no longer work. You will receive a signed receipt by email.",
  cancel_deletion: "The deletion is canceled. Your account works again; log in as usual.",
};

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  return formAction(async () => {
    const { token } = await parseForm(request, ConfirmForm);
    const session = await getSession(request, env);
    const outcome = await useLink(env, token, new URL(request.url).origin, session?.sessionHash);
    if (outcome.purpose === "verify_email") return { done: `Thank you: ${outcome.email} is verified.` };
    if (outcome.purpose === "email_change")
      return { done: `Your email address is now ${outcome.email}. Your other sessions were logged out.` };
    if (outcome.purpose === "email_revert")
      return {
        done: `Your account's email address is ${outcome.email}, and every session is logged out. Choose a new password now.`,
      };
    if (outcome.purpose === "cancel_deletion") return { done: DONE.cancel_deletion! };
    return { done: DONE[outcome.request.type]! };
  });
}

/** After the link is used, the page keeps what it showed rather than reloading a now-used link. */
export function shouldRevalidate({ actionResult, defaultShouldRevalidate }: ShouldRevalidateFunctionArgs) {
  return actionResult?.done ? false : defaultShouldRevalidate;
}

export default function Confirm({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const { link, token } = loaderData;
  const done = actionData && "done" in actionData ? actionData.done : null;
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn={loaderData.signedIn} />
      <main id="main" className="center-page">
        <div className="card narrow">
          {done ? (
            <>
              <h1>Done</h1>
              <p className="alert success" role="status">
                {done}
              </p>
              {loaderData.signedIn ? (
                <p className="actions">
                  <Link to="/dashboard">Go to your dashboard</Link>
                  <Link to="/dashboard/privacy">Your data and privacy requests</Link>
                </p>
              ) : (
                <p>
                  <Link to="/login">Log in</Link>
                </p>
              )}
            </>
          ) : link && token ? (
            <>
              <h1>{link.title}</h1>
              <p>{link.body}</p>
              <FormError message={actionData && "error" in actionData ? actionData.error.message : null} />
              <Form method="post" className="stack">
                <input type="hidden" name="token" value={token} />
                <button type="submit" className={link.danger ? "danger" : undefined} disabled={busy}>
                  {link.button}
                </button>
              </Form>
              <p className="muted">This link works once and expires 24 hours after it was sent.</p>
            </>
          ) : (
            <>
              <h1>This link no longer works</h1>
              <p>
                It is invalid, expired or already used. Links in our emails work once, for 24 hours. If you
                still need something done, sign in and go to <Link to="/dashboard/privacy">Your data</Link>,
                or write to us.
              </p>
            </>
          )}
        </div>
      </main>
    </>
  );
}
