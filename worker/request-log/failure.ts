// Why a request failed, as the request log keeps it: the error code and message we answered with — in our own
// words. A provider's error text can echo what was sent (content), so for a provider's failure the log keeps
// only our sentence for its code, never the provider's body or message.
import type { AppError } from "../errors";

export type RequestFailure = { errorCode: string | null; errorMessage: string };

/** The longest message kept (ours are one sentence). */
const MESSAGE_MAX = 300;

const UPSTREAM: Record<string, string> = {
  upstream_rate_limited: "The provider is rate limiting requests.",
  upstream_auth_failed: "The provider refused the platform's credentials.",
  upstream_invalid_request: "The provider refused the request.",
  upstream_timeout: "The provider did not answer in time.",
  upstream_unreachable: "The provider could not be reached.",
  upstream_error: "The provider failed.",
};

export function failureOf(error: AppError): RequestFailure {
  const code = error.options.code ?? null;
  if (code?.startsWith("upstream_")) {
    return { errorCode: code, errorMessage: UPSTREAM[code] ?? "The provider failed." };
  }
  return { errorCode: code, errorMessage: error.message.slice(0, MESSAGE_MAX) };
}
