import { z } from "zod";
import { createCheckout, createPortal } from "#worker/billing/checkout";
import { dailyBalances } from "#worker/billing/ledger";
import { formatCents } from "#worker/billing/money";
import { billingOverview } from "#worker/billing/overview";
import { PAID_PLANS, PLANS, TOPUP_MAX_CENTS, TOPUP_MIN_CENTS } from "#worker/billing/plans";
import { ledgerStatement } from "#worker/billing/statement";
import { getConfig } from "#worker/config";
import { getDb } from "#worker/db";
import { DAY_MS } from "#worker/time";
import { formAction, parseForm } from "../../lib/forms.server";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/billing";

const HISTORY_DAYS = 90;
const STATEMENT_LINES = 60;
const CONFIRM_WINDOW_MS = 30 * 60_000;

const BillingAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("subscribe"), plan: z.enum(PAID_PLANS) }),
  z.object({
    intent: z.literal("topup"),
    dollars: z.coerce
      .number({ message: "Enter an amount in dollars." })
      .multipleOf(0.01, "Use whole cents.")
      .min(TOPUP_MIN_CENTS / 100, `The smallest top-up is ${formatCents(TOPUP_MIN_CENTS)}.`)
      .max(TOPUP_MAX_CENTS / 100, `The largest top-up is ${formatCents(TOPUP_MAX_CENTS)}.`),
  }),
  z.object({ intent: z.literal("portal") }),
]);

export async function loader({ request, context }: Route.LoaderArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  const config = getConfig(env);
  const since = new Date(Date.now() - HISTORY_DAYS * DAY_MS);
  const overview = await billingOverview(env, session.accountId);
  const [history, statement] = await Promise.all([
    dailyBalances(db, session.accountId, since),
    ledgerStatement(db, session.accountId, STATEMENT_LINES),
  ]);
  const outcome = new URL(request.url).searchParams.get("checkout");
  // Back from a checkout: once Stripe's webhook has landed, a credit from the last half hour shows it is done.
  const confirmed =
    outcome === "success"
      ? (statement.find(
          (e) =>
            (e.kind === "topup" || e.kind === "grant") &&
            Date.now() - Date.parse(e.createdAt) < CONFIRM_WINDOW_MS,
        ) ?? null)
      : null;
  return {
    overview,
    history,
    historyDays: HISTORY_DAYS,
    statement,
    confirmed,
    stripeReady: Boolean(config.stripe.secretKey),
    plans: PAID_PLANS.filter((p) => config.stripe.prices[p]).map((p) => PLANS[p]),
    checkout: outcome === "success" || outcome === "canceled" ? outcome : null,
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { env } = context.cloudflare;
  const session = await requireUser(request, env);
  const db = getDb(env.DB);
  const config = getConfig(env);
  const origin = new URL(request.url).origin;
  return formAction(async () => {
    const input = await parseForm(request, BillingAction);
    const { url } =
      input.intent === "portal"
        ? await createPortal(db, config, session.accountId, origin)
        : await createCheckout(
            db,
            config,
            session.accountId,
            input.intent === "subscribe"
              ? { kind: "subscription", plan: input.plan }
              : { kind: "topup", amountCents: Math.round(input.dollars * 100) },
            origin,
          );
    // Off to Stripe's hosted page; card details never pass through this service.
    return { redirectTo: url };
  }, request);
}
