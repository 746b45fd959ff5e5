import { redirect } from "react-router";
import { z } from "zod";
import { PASSWORD_LENGTH } from "#worker/accounts/password-length";
import { getAccount } from "#worker/accounts/service";
import { destroySession, sessionClearCookie } from "#worker/accounts/sessions";
import { recheckPassword } from "#worker/accounts/sudo";
import { getConfig } from "#worker/config";
import { getDb } from "#worker/db";
import { holders } from "#worker/privacy/holders";
import { holdingsOf } from "#worker/privacy/holders/counts";
import { rectify } from "#worker/privacy/rectification";
import { OBJECTION_LENGTH } from "#worker/privacy/rights-requests/objection-length";
import { liftRestriction, restrictionState } from "#worker/privacy/rights-requests/restriction";
import { createRequest, listRequests } from "#worker/privacy/rights-requests/service";
import { OPEN_STATUSES } from "#worker/privacy/rights-requests/view";
import { consentHistory, readPrivacySettings } from "#worker/settings/store";
import { formAction, parseForm } from "../../lib/forms.server";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/privacy";

const PrivacyAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("export") }),
  z.object({
    intent: z.literal("rectify"),
    name: z.string().trim().max(100, "Keep the name under 100 characters."),
    email: z.string().trim().pipe(z.email("Enter a valid email address.").max(254)),
    /** Needed only when the email changes (sudo mode); empty otherwise. */
    password: z.string().max(PASSWORD_LENGTH.max).optional(),
  }),
  z.object({ intent: z.literal("restrict") }),
  z.object({ intent: z.literal("lift") }),
  z.object({
    intent: z.literal("object"),
    note: z
      .string()
      .trim()
      .min(OBJECTION_LENGTH.min, `Say what you object to in at least ${OBJECTION_LENGTH.min} characters.`)
      .max(OBJECTION_LENGTH.max, `Keep it under ${OBJECTION_LENGTH.max} characters.`),
  }),
  z.object({
    intent: z.literal("delete"),
    password: z.string().min(1, "Re-enter your password.").max(PASSWORD_LENGTH.max),
    understood: z.literal("on", { error: "Tick the box to confirm you understand." }),
  }),
]);

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  const config = getConfig(env);
  const now = new Date();
  const [account, requests, holdings, settings, consents, restriction] = await Promise.all([
    getAccount(db, session.accountId),
    listRequests(db, session.accountId),
    holdingsOf(env, session.accountId),
    readPrivacySettings(db, session.accountId),
    consentHistory(db, session.accountId, 20),
    restrictionState(db, session.accountId),
  ]);
  const open = OPEN_STATUSES as readonly string[];
  return {
    account: { email: account.email, name: account.name ?? "" },
    restriction,
    requests: requests.map(({ receipt: _receipt, ...r }) => ({
      ...r,
      msLeft: open.includes(r.status) ? Date.parse(r.dueAt) - now.getTime() : null,
    })),
    held: {
      holdings,
      settings: { ...settings, updatedAt: settings.updatedAt?.toISOString() ?? null },
      consents: consents.map((c) => ({ ...c, at: c.at.toISOString() })),
    },
    graceHours: config.deletionGraceHours,
    deadlineDays: config.policy.deletionDeadlineDays,
    privacyContact: config.privacyContact,
    // Privacy requests and their trail are the record of the erasure itself: listed as kept, not erased.
    erased: holders
      .filter((h) => h.description && h.name !== "privacy_requests")
      .map((h) => ({ name: h.name, what: h.description })),
    retained: holders.flatMap((h) => h.retains?.(now) ?? []),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  const origin = new URL(request.url).origin;
  return formAction(async () => {
    const input = await parseForm(request, PrivacyAction);
    if (input.intent === "export") {
      const view = await createRequest(env, session.accountId, "access", origin);
      return { exportRequested: view.id };
    }
    if (input.intent === "restrict") {
      await createRequest(env, session.accountId, "restriction", origin);
      return { restriction: "applied" as const };
    }
    if (input.intent === "lift") {
      await liftRestriction(env, session.accountId);
      return { restriction: "lifted" as const };
    }
    if (input.intent === "object") {
      await createRequest(env, session.accountId, "objection", origin, input.note);
      return { objected: true };
    }
    if (input.intent === "rectify") {
      const current = await getAccount(db, session.accountId);
      const name = input.name === "" ? null : input.name;
      const result = await rectify(
        env,
        session,
        {
          email: input.email,
          ...(name !== current.name ? { name } : {}),
          ...(input.password ? { password: input.password } : {}),
        },
        request.headers,
        origin,
      );
      return { rectified: { pendingEmail: result.pendingEmail } };
    }
    // The same throttled check as POST /api/privacy/requests: a session alone never deletes an account.
    await recheckPassword(env, session, input.password, request.headers, "password");
    const view = await createRequest(env, session.accountId, "deletion", origin);
    await destroySession(db, session.sessionHash);
    const until = view.executeAfter && Date.parse(view.executeAfter) > Date.now() ? view.executeAfter : null;
    return redirect(`/account-deleted${until ? `?until=${encodeURIComponent(until)}` : ""}`, {
      headers: { "Set-Cookie": sessionClearCookie(request.url) },
    });
  });
}
