// What happens to a subscription at the end of its period, in words: it renews, it ends (a cancellation
// scheduled in Stripe's portal), or it has ended.
import { formatDate } from "#worker/format";

type Subscription = { status: string | null; currentPeriodEnd: string | null; cancelAt: string | null };

const ENDED = ["canceled", "incomplete_expired"];

export function renewalText({ status, currentPeriodEnd, cancelAt }: Subscription): string | null {
  if (!status) return null;
  if (ENDED.includes(status)) return currentPeriodEnd ? `ended ${formatDate(currentPeriodEnd)}` : null;
  if (cancelAt) return `ends on ${formatDate(cancelAt)}`;
  return currentPeriodEnd ? `renews ${formatDate(currentPeriodEnd)}` : null;
}
