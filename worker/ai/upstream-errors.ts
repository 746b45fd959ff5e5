// Upstream failures in the one error shape: the provider's status kept where it means the same to our client,
// its error type/code passed on, its account identifiers never.
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError } from "../errors";

/** Identifiers of the platform's provider account (organisation, project, user, key) that a provider's error
 * message may name; the client never sees them. */
const ACCOUNT_IDS =
  /\b(?:org|proj|project|user|acct|account|sk|key|ws|wrkspc)[-_][A-Za-z0-9_-]{3,}|\b(?:organi[sz]ation|project|account|workspace)\s+(?:id\s+)?['"`]?[A-Za-z0-9_-]{4,}['"`]?/gi;

/** What we pass on of a provider's error body: its error type/code, and its message without account
 * identifiers, never the body itself. */
function upstreamDetail(text: string): string | undefined {
  let body: { error?: { message?: unknown; type?: unknown; code?: unknown }; message?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = body?.error ?? {};
  const kind = [error.type, error.code].filter((v) => typeof v === "string" && v).join("/");
  const raw = error.message ?? body?.message;
  const message = typeof raw === "string" ? raw.replace(ACCOUNT_IDS, "[redacted]").slice(0, 300) : "";
  const parts = [kind ? `(${kind})` : "", message].filter(Boolean);
  return parts.length ? parts.join(" ") : undefined;
}

export function retryAfterSeconds(headers: Headers): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

export function fromUpstreamStatus(status: number, headers: Headers, bodyText: string): AppError {
  const detail = upstreamDetail(bodyText);
  const upstream = { upstream_status: String(status) };
  if (status === 429) {
    const wait = Math.max(1, Math.ceil(retryAfterSeconds(headers) ?? 1));
    return new AppError(429, `The provider is rate limiting requests. ${detail ?? ""}`.trim(), {
      code: "upstream_rate_limited",
      headers: { "Retry-After": String(wait), "x-upstream-status": upstream.upstream_status },
    });
  }
  if (status === 401 || status === 403) {
    return new AppError(502, "The provider refused the platform's credentials.", {
      code: "upstream_auth_failed",
      headers: { "x-upstream-status": upstream.upstream_status },
    });
  }
  if (status >= 400 && status < 500) {
    const kept = [400, 404, 409, 413, 422].includes(status) ? status : 400;
    return new AppError(
      kept as ContentfulStatusCode,
      `The provider refused the request: ${detail ?? "no detail"}`,
      {
        code: "upstream_invalid_request",
        headers: { "x-upstream-status": upstream.upstream_status },
      },
    );
  }
  const kept = status === 503 || status === 504 ? status : status === 529 ? 503 : 502;
  return new AppError(
    kept as ContentfulStatusCode,
    `The provider failed (${status}). ${detail ?? ""}`.trim(),
    {
      code: "upstream_error",
      type: "api_error",
      headers: { "x-upstream-status": upstream.upstream_status },
    },
  );
}

export const upstreamTimeout = () =>
  new AppError(504, "The provider did not answer in time.", { code: "upstream_timeout" });

export const upstreamUnreachable = () =>
  new AppError(502, "The provider could not be reached.", {
    code: "upstream_unreachable",
    type: "api_error",
  });

/** Worth another attempt (same model after a pause, or the next model in the fallback chain). */
export function isRetryable(error: AppError): boolean {
  return error.status === 429 || error.status >= 500;
}
