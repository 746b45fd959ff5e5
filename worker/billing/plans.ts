// The plan catalogue: what each plan costs and includes. Prices live in Stripe; their ids come from vars.
import type { Config } from "../config";

/** 1 USD in the ledger's unit. Every amount in billing is an integer count of micro-dollars. */
export const MICROS_PER_DOLLAR = 1_000_000;
export const MICROS_PER_CENT = 10_000;

export const PLAN_IDS = ["free", "pro", "team"] as const;
export type PlanId = (typeof PLAN_IDS)[number];
export const PAID_PLANS = ["pro", "team"] as const;
export type PaidPlanId = (typeof PAID_PLANS)[number];

export type Plan = {
  id: PlanId;
  name: string;
  /** Monthly price in cents, shown on the page; Stripe's price is what is charged. */
  monthlyCents: number;
  /** Credit granted once, the first time the account is seen by billing. */
  trialMicros: number;
  /** Credit granted by each paid invoice of the plan's subscription. */
  monthlyMicros: number;
  /** The highest requests-per-minute limit a key of this plan may be given. */
  rateLimitCeilingRpm: number;
};

export const PLANS: Record<PlanId, Plan> = {
  free: {
    id: "free",
    name: "Free",
    monthlyCents: 0,
    trialMicros: 1 * MICROS_PER_DOLLAR,
    monthlyMicros: 0,
    rateLimitCeilingRpm: 600,
  },
  pro: {
    id: "pro",
    name: "Pro",
    monthlyCents: 2000,
    trialMicros: 0,
    monthlyMicros: 25 * MICROS_PER_DOLLAR,
    rateLimitCeilingRpm: 3_000,
  },
  team: {
    id: "team",
    name: "Team",
    monthlyCents: 10000,
    trialMicros: 0,
    monthlyMicros: 120 * MICROS_PER_DOLLAR,
    rateLimitCeilingRpm: 6_000,
  },
};

/** Below this balance the account gets one low-balance notice (and the page a warning). */
export const LOW_BALANCE_MICROS = 50 * MICROS_PER_CENT;

/** Top-ups are bounded: below the minimum card fees eat them, above the maximum they need a human. */
export const TOPUP_MIN_CENTS = 500;
export const TOPUP_MAX_CENTS = 100_000;

/** Subscription statuses under which the paid plan applies (past_due: Stripe is still retrying). */
const LIVE_STATUSES = new Set(["active", "trialing", "past_due"]);

export function priceForPlan(config: Config, plan: PaidPlanId): string | undefined {
  return config.stripe.prices[plan];
}

export function planForPrice(config: Config, priceId: string | null | undefined): PlanId | undefined {
  if (!priceId) return undefined;
  return PAID_PLANS.find((plan) => config.stripe.prices[plan] === priceId);
}

/** The plan an account is on, from its last applied subscription state. */
export function effectivePlan(
  config: Config,
  subscription: { status: string | null; priceId: string | null },
): PlanId {
  if (!subscription.status || !LIVE_STATUSES.has(subscription.status)) return "free";
  return planForPrice(config, subscription.priceId) ?? "free";
}
