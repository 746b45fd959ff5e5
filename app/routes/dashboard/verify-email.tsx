// POST /dashboard/verify-email: the banner's "send the link again" button (no JavaScript needed), throttled
// like POST /api/auth/verify-email/resend; then back to the dashboard with the outcome in the banner.
import { redirect } from "react-router";
import { resendVerification } from "#worker/accounts/verification";
import { AppError } from "#worker/errors";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/verify-email";

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  try {
    await resendVerification(env, session, new URL(request.url).origin);
  } catch (error) {
    // Already verified: nothing to send. Throttled: the last link is still on its way.
    if (!(error instanceof AppError) || (error.status !== 409 && error.status !== 429)) throw error;
    return redirect(error.status === 409 ? "/dashboard" : "/dashboard?verification=throttled");
  }
  return redirect("/dashboard?verification=sent");
}

export function loader() {
  return redirect("/dashboard");
}
