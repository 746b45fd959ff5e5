// A key's request limit as the dashboard shows it: a limit set under a plan that has since lapsed is enforced
// at the current plan's ceiling (worker/keys/middleware.ts), so that is the figure shown, with the setting beside.
export function rateLimitText(
  stored: number | null,
  defaultRpm: number,
  plan: { name: string; ceiling: number },
): string {
  if (stored === null) return `${defaultRpm}/min`;
  if (stored <= plan.ceiling) return `${stored}/min`;
  return `${plan.ceiling}/min (set to ${stored}; the ${plan.name} plan allows ${plan.ceiling})`;
}
