// The one error shape ({"error":{message,type,code,param}}), Anthropic's shape for its routes, and the one
// handler that renders them.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import { isAnthropicPath } from "./request-id";

export type ErrorBody = {
  error: { message: string; type: string; code: string | null; param: string | null };
};

const typeForStatus: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "insufficient_quota",
  403: "permission_error",
  404: "not_found_error",
  405: "invalid_request_error",
  409: "conflict_error",
  413: "invalid_request_error",
  415: "invalid_request_error",
  422: "invalid_request_error",
  429: "rate_limit_error",
  504: "timeout_error",
};

/** Anthropic's error types by status (https://docs.claude.com/en/api/errors); other 4xx are invalid requests. */
const anthropicTypeForStatus: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  503: "overloaded_error",
  504: "timeout_error",
  529: "overloaded_error",
};

export type AnthropicErrorBody = {
  type: "error";
  error: { type: string; message: string; code?: string; param?: string };
  request_id?: string;
};

export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly options: { code?: string; param?: string; type?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "AppError";
  }

  get type(): string {
    return (
      this.options.type ??
      typeForStatus[this.status] ??
      (this.status >= 500 ? "api_error" : "invalid_request_error")
    );
  }

  toBody(): ErrorBody {
    return {
      error: {
        message: this.message,
        type: this.type,
        code: this.options.code ?? null,
        param: this.options.param ?? null,
      },
    };
  }

  /** Anthropic's shape; our code and param ride along inside `error` (Anthropic allows extra fields). */
  toAnthropicBody(requestId?: string): AnthropicErrorBody {
    const type =
      anthropicTypeForStatus[this.status] ?? (this.status >= 500 ? "api_error" : "invalid_request_error");
    const { code, param } = this.options;
    return {
      type: "error",
      error: { type, message: this.message, ...(code ? { code } : {}), ...(param ? { param } : {}) },
      ...(requestId ? { request_id: requestId } : {}),
    };
  }

  toResponse(dialect: "openai" | "anthropic" = "openai", requestId?: string): Response {
    const body = dialect === "anthropic" ? this.toAnthropicBody(requestId) : this.toBody();
    return Response.json(body, { status: this.status, headers: this.options.headers });
  }
}

export const badRequest = (message: string, param?: string, code = "invalid_request") =>
  new AppError(400, message, { param, code });
export const unauthorized = (message = "Invalid or missing credentials.", code = "invalid_credentials") =>
  new AppError(401, message, { code });
export const forbidden = (message = "You are not allowed to do this.", code = "forbidden") =>
  new AppError(403, message, { code });
export const notFound = (what = "Resource") => new AppError(404, `${what} not found.`, { code: "not_found" });
export const conflict = (message: string, code = "conflict") => new AppError(409, message, { code });
export const tooManyRequests = (retryAfterSeconds: number, message = "Too many requests. Try again later.") =>
  new AppError(429, message, {
    code: "rate_limited",
    headers: { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });

/** Turns a zod failure into the one error shape, naming the first offending field. */
export function fromZodError(error: ZodError): AppError {
  const issue = error.issues[0];
  const param = issue?.path.length ? issue.path.join(".") : undefined;
  const message = issue ? `${param ? `${param}: ` : ""}${issue.message}` : "Invalid request.";
  return new AppError(400, message, { param, code: "invalid_request" });
}

function fromHttpException(error: HTTPException): AppError {
  if (error.status === 413)
    return new AppError(413, "Request body is too large.", { code: "body_too_large" });
  if (error.status === 415)
    return new AppError(415, "Send the body as application/json.", { code: "unsupported_media_type" });
  if (error.status === 400 && /json/i.test(error.message)) {
    return new AppError(400, "Malformed JSON in request body.", { code: "invalid_json" });
  }
  return new AppError(error.status as ContentfulStatusCode, error.message || "Request failed.");
}

/** Maps any thrown value to an AppError; unknown errors become an opaque 500. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return fromZodError(error);
  if (error instanceof HTTPException) return fromHttpException(error);
  return new AppError(500, "Internal error.", { code: "internal_error", type: "api_error" });
}

/** Hono's onError: the only place errors become responses, in the route's dialect. The access log
 * (worker/observability/access-log.ts) writes the line: the error's name and first frame, never its message. */
export function onError(error: unknown, c: Context): Response {
  const appError = toAppError(error);
  const dialect = isAnthropicPath(c.req.path) ? "anthropic" : "openai";
  return appError.toResponse(dialect, c.get("requestId"));
}
