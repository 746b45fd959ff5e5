// A privacy request's state as a badge, in the words the account holder and operators both read.
import type { RequestView } from "#worker/privacy/rights-requests/view";

const LABELS: Record<RequestView["status"], string> = {
  received: "received",
  verifying: "waiting for confirmation",
  in_progress: "in progress",
  completed: "completed",
  denied: "denied",
  canceled: "canceled",
};

export function RequestStatus({ status }: { status: RequestView["status"] }) {
  const tone = status === "denied" ? "badge bad" : status === "canceled" ? "badge off" : "badge";
  return <span className={tone}>{LABELS[status]}</span>;
}

const TYPE_LABELS: Record<RequestView["type"], string> = {
  access: "Copy of data (access)",
  deletion: "Account deletion",
  restriction: "Restriction of processing",
  objection: "Objection",
};

export const requestTypeLabel = (type: RequestView["type"]) => TYPE_LABELS[type];
