// What each data policy an account or key can choose requires of a provider's published policy (the catalogue's
// `dataPolicy`), and how an account's and a key's choices combine: both apply, so a key can only narrow.
import { dataPolicies } from "../../../db/schema/settings";
import type { DataPolicy } from "../catalogue/model";

export type DataPolicyName = (typeof dataPolicies)[number];
export { dataPolicies };

/** Regions that count as processing in the EU; "local" is the operator's own machine (no third party). */
const EU_REGION = /^(eu|eu-[a-z-]+|local)$/;

const keepsNothing = (p: DataPolicy) => p.zeroDataRetention || p.retentionDays === 0;

const RULES: Record<DataPolicyName, { label: string; allows: (p: DataPolicy) => boolean }> = {
  any: { label: "any provider", allows: () => true },
  no_training: { label: "providers that do not train on API data", allows: (p) => !p.trainsOnData },
  zero_retention: {
    label: "zero data retention only",
    allows: (p) => !p.trainsOnData && keepsNothing(p),
  },
  eu_only: {
    label: "processing in the EU only",
    allows: (p) => p.regions.every((r) => EU_REGION.test(r)),
  },
};

/** The policies a request is held to: the account's and the key's (the same one once, "any" left out). */
export function effectivePolicies(account: DataPolicyName, key: DataPolicyName = "any"): DataPolicyName[] {
  return [...new Set([account, key])].filter((p) => p !== "any");
}

/** The first of the policies the provider's published policy fails, or undefined when it satisfies them all. */
export function violatedPolicy(policies: DataPolicyName[], provider: DataPolicy): DataPolicyName | undefined {
  return policies.find((name) => !RULES[name].allows(provider));
}

export function policyLabel(name: DataPolicyName): string {
  return RULES[name].label;
}

/**
 * Where a request may go: the model asked for is refused (with the policy it breaks) when its provider fails
 * one of the policies; otherwise it goes, and so may each fallback whose provider satisfies them all — the
 * others are dropped, so a failure never sends the request where the policy forbids.
 */
export function routeWithinPolicy<T>(
  policies: DataPolicyName[],
  chain: T[],
  policyOf: (candidate: T) => DataPolicy,
): { refused: DataPolicyName } | { allowed: T[] } {
  const refused = violatedPolicy(policies, policyOf(chain[0]!));
  if (refused) return { refused };
  return { allowed: chain.filter((c) => violatedPolicy(policies, policyOf(c)) === undefined) };
}

/** Every choice with its label, for the forms that offer them. */
export function policyChoices(): { value: DataPolicyName; label: string }[] {
  return dataPolicies.map((value) => ({ value, label: RULES[value].label }));
}
