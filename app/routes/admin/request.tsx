// /admin/requests/:id, for operators: one privacy request — its facts, timeline and privacy trail — and the
// actions that apply to it (deny with a reason, re-send the confirmation link), as plain forms.
import { data, Form, Link, useNavigation } from "react-router";
import { z } from "zod";
import { AppError, forbidden, notFound } from "#worker/errors";
import { formatDateTime } from "#worker/format";
import { answerObjection } from "#worker/privacy/rights-requests/objection";
import {
  denyRequest,
  requestDetail,
  resendConfirmation,
} from "#worker/privacy/rights-requests/operator-actions";
import { DataTable } from "../../components/DataTable";
import { Facts } from "../../components/Facts";
import { FormError, TextAreaField } from "../../components/Field";
import { RequestStatus, requestTypeLabel } from "../../components/RequestStatus";
import { SiteHeader } from "../../components/SiteHeader";
import { formState } from "../../lib/form-state";
import { formAction, parseForm } from "../../lib/forms.server";
import { isAdmin, requireOperator, requireUser } from "../../lib/session.server";
import { formatTimeLeft } from "../../lib/time-left";
import type { Route } from "./+types/request";

export const meta: Route.MetaFunction = ({ data: d }) => [
  {
    title: d
      ? `${requestTypeLabel(d.request.type)} ${d.request.id.slice(0, 8)} — Operators — Botmara`
      : "Operators — Botmara",
  },
];

const RequestId = z.string().min(1).max(64);

const REASON_MIN = 3;
const REASON_MAX = 500;

/** The forms' version of POST …/deny and …/resend (the same limits as the API's DenyPrivacyRequest). */
const ActionForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("deny"),
    reason: z
      .string()
      .trim()
      .min(REASON_MIN, `Give the reason in at least ${REASON_MIN} characters: the requester is told it.`)
      .max(REASON_MAX, `Keep the reason under ${REASON_MAX} characters.`),
  }),
  z.object({ intent: z.literal("resend") }),
  z.object({
    intent: z.literal("answer"),
    upheld: z.enum(["yes", "no"], { error: "Say whether the objection is upheld." }),
    answer: z
      .string()
      .trim()
      .min(REASON_MIN, `Give your answer in at least ${REASON_MIN} characters: the requester is mailed it.`)
      .max(2000, "Keep the answer under 2000 characters."),
  }),
]);

async function load(env: Env, id: string | undefined) {
  const parsed = RequestId.safeParse(id);
  if (!parsed.success) throw data("Not found", { status: 404, statusText: "No such request." });
  try {
    return await requestDetail(env, parsed.data);
  } catch (error) {
    if (error instanceof AppError && error.status === 404)
      throw data("Not found", { status: 404, statusText: "No such request." });
    throw error;
  }
}

export async function loader({ request, params, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  await requireOperator(request, env);
  const { receipt, ...detail } = await load(env, params.id);
  const now = Date.now();
  return {
    appName: env.APP_NAME ?? "Botmara",
    request: { ...detail, hasReceipt: receipt !== null },
    msLeft: detail.open ? new Date(detail.dueAt).getTime() - now : 0,
  };
}

export async function action({ request, params, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  return formAction(async () => {
    if (!isAdmin(env, session)) throw forbidden("Operators only.");
    const id = RequestId.safeParse(params.id);
    if (!id.success) throw notFound("Privacy request");
    const input = await parseForm(request, ActionForm);
    const operator = { accountId: session.accountId, email: session.email };
    if (input.intent === "answer") {
      await answerObjection(env, id.data, { upheld: input.upheld === "yes", answer: input.answer }, operator);
      return { done: "answered" as const };
    }
    if (input.intent === "deny") {
      await denyRequest(env, id.data, input.reason, operator);
      return { done: "denied" as const };
    }
    await resendConfirmation(env, id.data, new URL(request.url).origin, operator);
    return { done: "resent" as const };
  }, request);
}

const DONE = {
  denied: "Denied. The requester sees the reason you gave.",
  resent: "Sent. The account holder has a fresh confirmation link, valid 24 hours.",
  answered: "Answered. The requester is mailed your answer; it is in the trail below.",
} as const;

export default function AdminRequest({ loaderData, actionData }: Route.ComponentProps) {
  const r = loaderData.request;
  const busy = useNavigation().state === "submitting";
  const form = formState(actionData);
  const done = actionData && "done" in actionData ? actionData.done : null;
  const facts: [string, React.ReactNode][] = [
    ["Status", <RequestStatus key="s" status={r.status} />],
    ["Channel", r.channel === "email" ? "by email (recorded by an operator)" : "from the dashboard"],
    ["Received", formatDateTime(r.createdAt)],
    ["Due by", formatDateTime(r.dueAt)],
    [
      "Time left",
      r.open ? (
        loaderData.msLeft < 0 ? (
          <span key="t" className="badge bad">
            {formatTimeLeft(loaderData.msLeft)}
          </span>
        ) : (
          formatTimeLeft(loaderData.msLeft)
        )
      ) : (
        "closed"
      ),
    ],
  ];
  if (r.progress) facts.push(["Progress", r.progress]);
  if (r.type === "access")
    facts.push([
      "Export",
      r.exportGone
        ? "deleted with the account"
        : r.exportReady
          ? `ready to download until ${formatDateTime(r.exportExpiresAt)}`
          : r.status === "completed"
            ? "expired"
            : "not built yet",
    ]);
  if (r.type === "deletion") facts.push(["Receipt", r.hasReceipt ? "signed and sent" : "not issued yet"]);
  if (r.denialReason) facts.push(["Reason given", r.denialReason]);
  if (r.answer) facts.push(["Answer", r.answer]);
  if (r.note) facts.push([r.type === "objection" ? "Objection" : "Note", r.note]);
  return (
    <>
      <SiteHeader appName={loaderData.appName} signedIn />
      <main id="main" className="content">
        <p>
          <Link to="/admin">← Operators</Link>
        </p>
        <h1>
          {requestTypeLabel(r.type)} <span className="mono">{r.id.slice(0, 8)}</span>
        </h1>
        <p className="muted">
          Named by its id only; no email address or content is shown here. Full id: <code>{r.id}</code>
        </p>
        {done ? (
          <p className="alert success" role="status">
            {DONE[done]}
          </p>
        ) : null}
        <section className="card block" aria-labelledby="facts">
          <h2 id="facts">Where it stands</h2>
          <Facts rows={facts} />
        </section>

        <section className="block" aria-labelledby="actions">
          <h2 id="actions">Actions</h2>
          <FormError message={form.error} />
          {r.canAnswer ? (
            <Form method="post" className="card stack">
              <input type="hidden" name="intent" value="answer" />
              <fieldset>
                <legend>Is the objection upheld?</legend>
                <label className="check">
                  <input type="radio" name="upheld" value="yes" required /> Upheld: the processing objected to
                  stops
                </label>
                <label className="check">
                  <input type="radio" name="upheld" value="no" /> Not upheld: our compelling grounds override
                  it
                </label>
              </fieldset>
              <TextAreaField
                label="Answer (the requester is mailed it)"
                name="answer"
                rows={4}
                required
                minLength={REASON_MIN}
                maxLength={2000}
                error={form.fields.answer}
              />
              <div>
                <button type="submit" disabled={busy}>
                  Send the answer
                </button>
              </div>
            </Form>
          ) : null}
          {!r.canDeny && !r.canResend && !r.canAnswer ? (
            <p className="muted">
              {r.open
                ? "Work on this request has started: it can no longer be denied, and there is no link to re-send."
                : "This request is closed: no action applies."}
            </p>
          ) : null}
          {r.canResend ? (
            <Form method="post" className="card stack">
              <input type="hidden" name="intent" value="resend" />
              <p>
                The account holder has not confirmed yet. A fresh single-use link (valid 24 hours) goes to the
                account's own address.
              </p>
              <div>
                <button type="submit" disabled={busy}>
                  Re-send the confirmation link
                </button>
              </div>
            </Form>
          ) : null}
          {r.canDeny ? (
            <Form method="post" className="card stack">
              <input type="hidden" name="intent" value="deny" />
              <TextAreaField
                label="Reason for denying (the requester is told it)"
                name="reason"
                rows={3}
                required
                minLength={REASON_MIN}
                maxLength={REASON_MAX}
                defaultValue={form.values.intent === "deny" ? (form.values.reason ?? "") : ""}
                hint={`${REASON_MIN}–${REASON_MAX} characters, in plain words, e.g. "The sender could not be identified."`}
                error={form.fields.reason}
              />
              <div>
                <button type="submit" className="danger" disabled={busy}>
                  Deny request
                </button>
              </div>
            </Form>
          ) : null}
        </section>

        <section className="block" aria-labelledby="timeline">
          <h2 id="timeline">Timeline</h2>
          <ol data-testid="timeline">
            {r.timeline.map((t) => (
              <li key={`${t.at}-${t.what}`}>
                <time dateTime={t.at}>{formatDateTime(t.at)}</time>: {t.what}
              </li>
            ))}
          </ol>
        </section>

        <section className="block" aria-labelledby="audit">
          <h2 id="audit">Audit trail</h2>
          <p className="muted">
            Every step recorded for this request; rows can be neither changed nor removed.
          </p>
          <div className="table-wrap">
            <DataTable
              caption="The request's privacy trail, oldest first"
              columns={["When", "By", "What", "Details"]}
              empty={r.audit.length === 0 ? "Nothing recorded yet." : null}
            >
              {r.audit.map((a, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: audit rows have no id of their own and never reorder
                <tr key={i} data-testid="audit-row">
                  <td>{formatDateTime(a.at)}</td>
                  <td>{a.actor}</td>
                  <td className="mono">{a.action}</td>
                  <td className="muted">
                    {a.detail
                      ? Object.entries(a.detail)
                          .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
                          .join(", ")
                      : ""}
                  </td>
                </tr>
              ))}
            </DataTable>
          </div>
        </section>
      </main>
    </>
  );
}
