// /dashboard/billing: plan and status, balance and its history, the ledger, invoices, and the way to Stripe
// (upgrade, top-up, portal). Same services as /api/billing; every button works without client JS: the action
// answers with a page that moves on to Stripe by itself (meta refresh, which the page's CSP `form-action 'self'`
// does not govern, unlike a redirect answering the form post), with a link as well.
import { useEffect, useState } from "react";
import { Form, useNavigation, useRevalidator } from "react-router";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCents, formatMicros, formatMinor } from "#worker/billing/money";
import {
  LOW_BALANCE_MICROS,
  MICROS_PER_DOLLAR,
  PLANS,
  TOPUP_MAX_CENTS,
  TOPUP_MIN_CENTS,
} from "#worker/billing/plans";
import { formatDate, formatDateTime, needsSeconds } from "#worker/format";
import { DataTable } from "../../components/DataTable";
import { Field, FormError } from "../../components/Field";
import { formState } from "../../lib/form-state";
import { renewalText } from "../../lib/renewal";
import type { Route } from "./+types/billing";

export const meta: Route.MetaFunction = () => [{ title: "Billing — Botmara" }];

export { action, loader } from "./billing.server";

const dollars = (micros: number) => micros / MICROS_PER_DOLLAR;

/** Money ticks read as money: "$0.50", "$12", never ".00105". */
const moneyTick = (v: number) => formatMicros(Math.round(v * MICROS_PER_DOLLAR));

/** Leaves for Stripe: at once with JavaScript, by meta refresh without it, by the link if both fail. */
function ContinueToStripe({ url }: { url: string }) {
  useEffect(() => {
    window.location.assign(url);
  }, [url]);
  return (
    <div className="alert success" role="status">
      <meta httpEquiv="refresh" content={`0;url=${url}`} />
      Taking you to Stripe to pay… <a href={url}>Continue to Stripe</a>
    </div>
  );
}

/** While a payment is being confirmed, the page looks again every few seconds (with JavaScript). */
function usePollWhilePending(pending: boolean) {
  const { revalidate, state } = useRevalidator();
  const [tries, setTries] = useState(0);
  useEffect(() => {
    if (!pending || state !== "idle" || tries >= 20) return;
    const timer = setTimeout(() => {
      setTries((t) => t + 1);
      revalidate();
    }, 2_000);
    return () => clearTimeout(timer);
  }, [pending, state, tries, revalidate]);
}

/** The chart draws in the browser only (its SVG ids differ between renders); the table below serves everyone. */
function BalanceChart({
  history,
  mounted,
}: {
  history: { day: string; balanceMicros: number }[];
  mounted: boolean;
}) {
  if (!mounted || history.length === 0) return null;
  const data = history.map((h) => ({ day: h.day.slice(5), balance: dollars(h.balanceMicros) }));
  return (
    <div aria-hidden="true" className="chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" />
          <YAxis
            tickFormatter={moneyTick}
            domain={["auto", "auto"]}
            width={Math.min(160, 16 + 7 * Math.max(...data.map((d) => moneyTick(d.balance).length)))}
          />
          <Tooltip formatter={(v) => moneyTick(Number(v))} />
          <Line
            type="stepAfter"
            dataKey="balance"
            name="Balance"
            stroke="var(--accent)"
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

const KIND_LABELS: Record<string, string> = {
  trial: "trial",
  grant: "plan credit",
  topup: "top-up",
  usage: "usage",
  refund: "refund",
  reversal: "reversal",
  adjustment: "adjustment",
};

function statusBadge(status: string | null) {
  if (!status) return <span className="badge off">no subscription</span>;
  const bad = ["past_due", "unpaid", "incomplete", "incomplete_expired"].includes(status);
  return (
    <span className={`badge${bad ? " bad" : status === "canceled" ? " off" : ""}`}>
      {status.replace("_", " ")}
    </span>
  );
}

export default function Billing({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const { overview, history, historyDays, statement, stripeReady, plans, checkout, confirmed } = loaderData;
  const state = formState(actionData);
  const redirectTo = actionData && "redirectTo" in actionData ? actionData.redirectTo : null;
  const pending = checkout === "success" && !confirmed;
  const renewal = renewalText(overview);
  const seconds = needsSeconds(statement.map((e) => e.createdAt));
  usePollWhilePending(pending);
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  // Once the outcome is shown, a reload must not show it again: ?checkout=… leaves the address.
  const settled = Boolean(confirmed) || checkout === "canceled";
  useEffect(() => {
    if (settled) window.history.replaceState(window.history.state, "", window.location.pathname);
  }, [settled]);
  return (
    <>
      <h1>Billing</h1>
      {redirectTo ? <ContinueToStripe url={redirectTo} /> : null}
      <FormError message={state.error} />
      {confirmed ? (
        <div className="alert success" role="status" data-testid="payment-confirmed">
          Payment confirmed: {formatMicros(confirmed.amountMicros)} of credit added. Thank you.
        </div>
      ) : null}
      {pending ? (
        <div className="alert" role="status" data-testid="payment-pending">
          Thank you — your payment is being confirmed. Credit appears here as soon as Stripe confirms it
          (usually within seconds). <a href="/dashboard/billing?checkout=success">Check again</a>
        </div>
      ) : null}
      {checkout === "canceled" ? (
        <div className="alert" role="status">
          Checkout was canceled; nothing was charged.
        </div>
      ) : null}
      {overview.lowBalance ? (
        <div className="alert error" role="alert">
          Your balance is {formatMicros(overview.balanceMicros)}
          {overview.balanceMicros > 0 ? `, below ${formatMicros(LOW_BALANCE_MICROS)}` : ""}. API requests are
          refused with 402 once it cannot cover them — top up or upgrade below.
        </div>
      ) : null}

      <div className="grid">
        <div className="card">
          <h2>Plan</h2>
          <p className="stat" data-testid="plan">
            {overview.plan.name}
          </p>
          <p>
            {statusBadge(overview.status)}{" "}
            {renewal ? (
              <span className="muted" data-testid="renewal">
                {renewal}
              </span>
            ) : null}
          </p>
          {overview.cancelAt && overview.status !== "canceled" ? (
            <p data-testid="scheduled-cancellation">
              Your plan is canceled at the end of this period: it ends on {formatDate(overview.cancelAt)} and
              does not renew. Changed your mind? Resume it in the customer portal.
            </p>
          ) : null}
          {overview.plan.monthlyMicros > 0 ? (
            <p className="muted">
              {formatCents(overview.plan.monthlyCents)} a month, with{" "}
              {formatMicros(overview.plan.monthlyMicros)} of credit each paid month.
            </p>
          ) : (
            <p className="muted">Free: a one-time {formatMicros(PLANS.free.trialMicros)} trial credit.</p>
          )}
        </div>
        <div className="card">
          <h2>Balance</h2>
          <p className="stat" data-testid="balance">
            {formatMicros(overview.balanceMicros)}
          </p>
          <p className="muted">Prepaid credit; each API request is charged for the tokens it used.</p>
        </div>
      </div>

      {stripeReady ? (
        <div className="grid">
          {overview.plan.id === "free" && plans.length > 0 ? (
            <div className="card">
              <h2>Upgrade</h2>
              <Form method="post" className="stack">
                <input type="hidden" name="intent" value="subscribe" />
                {plans.map((p, i) => (
                  <label key={p.id} className="check">
                    <input type="radio" name="plan" value={p.id} defaultChecked={i === 0} />
                    {p.name} — {formatCents(p.monthlyCents)}/month, {formatMicros(p.monthlyMicros)} credit
                  </label>
                ))}
                <div>
                  <button type="submit" disabled={busy}>
                    Continue to payment
                  </button>
                </div>
              </Form>
            </div>
          ) : null}
          <div className="card">
            <h2>Top up</h2>
            <Form method="post" className="inline" noValidate>
              <input type="hidden" name="intent" value="topup" />
              <Field
                label="Amount (USD)"
                name="dollars"
                type="number"
                inputMode="decimal"
                min={TOPUP_MIN_CENTS / 100}
                max={TOPUP_MAX_CENTS / 100}
                step="0.01"
                defaultValue={state.values.intent === "topup" ? state.values.dollars : "20"}
                required
                hint={`From ${formatCents(TOPUP_MIN_CENTS)} to ${formatCents(TOPUP_MAX_CENTS)}, whole cents.`}
                error={state.fields.dollars}
              />
              <button type="submit" disabled={busy}>
                Buy credit
              </button>
            </Form>
          </div>
          {overview.hasCustomer ? (
            <div className="card">
              <h2>Plan, card and invoices</h2>
              <p className="muted">
                Change or cancel your plan, update your card and download invoices in Stripe's customer
                portal; we never see your card.
              </p>
              <Form method="post">
                <input type="hidden" name="intent" value="portal" />
                <button type="submit" disabled={busy}>
                  {overview.cancelAt && overview.status !== "canceled"
                    ? "Resume or change your plan"
                    : "Open the customer portal"}
                </button>
              </Form>
            </div>
          ) : null}
        </div>
      ) : (
        <p className="muted">Payments are not configured on this server.</p>
      )}

      <div className="card">
        <h2>Balance over the last {historyDays} days</h2>
        <BalanceChart history={history} mounted={mounted} />
        <details open={!mounted}>
          <summary>The balance day by day</summary>
          <DataTable caption="Balance at the end of each day with activity" columns={["Day", "Balance"]}>
            {history.map((h) => (
              <tr key={h.day}>
                <td>{h.day}</td>
                <td className="num">{formatMicros(h.balanceMicros)}</td>
              </tr>
            ))}
          </DataTable>
        </details>
        {history.length === 0 ? <p className="muted">No activity yet.</p> : null}
      </div>

      <h2>Ledger</h2>
      <p className="muted">Payments and credits one by one; API usage summed per hour (UTC).</p>
      <DataTable
        data-testid="ledger"
        className="cards"
        caption="Credit ledger, newest first"
        columns={["When", "Kind", "What", "Amount"]}
      >
        {statement.map((e) => (
          <tr key={e.id}>
            <td data-label="When">{formatDateTime(e.createdAt, seconds)}</td>
            <td data-label="Kind">
              <span className={e.kind === "usage" ? "badge off" : "badge"}>
                {KIND_LABELS[e.kind] ?? e.kind}
              </span>
            </td>
            <td data-label="What">
              {e.reason}
              {e.requests ? ` (${e.requests} ${e.requests === 1 ? "request" : "requests"})` : ""}
            </td>
            <td data-label="Amount" className="mono">
              {formatMicros(e.amountMicros)}
            </td>
          </tr>
        ))}
      </DataTable>

      <h2>Invoices</h2>
      <DataTable
        caption="Invoices"
        columns={["Date", "Number", "Status", "Amount", { hidden: "Link" }]}
        empty={
          overview.invoices.length === 0
            ? "No invoices yet. Top-ups are paid once, without an invoice: each is a line in the ledger above, and Stripe emails its receipt."
            : null
        }
      >
        {overview.invoices.map((i) => (
          <tr key={i.id}>
            <td>{formatDate(i.createdAt)}</td>
            <td>{i.number ?? "—"}</td>
            <td>
              <span className={`badge${i.status === "paid" ? "" : " bad"}`}>
                {i.status.replace("_", " ")}
              </span>
            </td>
            <td className="mono">{formatMinor(i.amountDueCents, i.currency)}</td>
            <td>
              {i.hostedInvoiceUrl?.startsWith("https://") ? (
                <a href={i.hostedInvoiceUrl} rel="noreferrer noopener">
                  View invoice{i.number ? ` ${i.number}` : ""}
                </a>
              ) : null}
            </td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}
