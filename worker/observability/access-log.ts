// One log line per refused or failed request (4xx: one warn line, no stack; 5xx: an error line with the error's
// name and first frame), and a sample of the successful ones (ACCESS_LOG_SAMPLE_RATE, default 1 in 100). Each
// line carries the account's pseudonymous reference and the key's id beside the request id, so an operator can
// find a customer's failures (/admin) without the customer's request id — and never content, email or key.
import type { Context, MiddlewareHandler } from "hono";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { accountRef } from "./account-ref";
import { log } from "./log";
import { writeRequestPoint } from "./metrics/point";

/** The matched route pattern (`/api/keys/:id`), or the path for the dashboard's catch-all; never a query. */
function routeOf(c: Context<AppEnv>): string {
  const pattern = c.req.routePath;
  return pattern && pattern !== "*" && pattern !== "/*" ? pattern : c.req.path;
}

/** Who the request was for: the key's account and id, or the session's account; nothing when anonymous. */
async function caller(c: Context<AppEnv>): Promise<{ accountRef?: string; keyId?: string }> {
  const key = c.var.apiKey;
  const accountId = key?.accountId ?? c.var.session?.accountId;
  if (!accountId) return {};
  return { accountRef: await accountRef(c.env, accountId), ...(key ? { keyId: key.keyId } : {}) };
}

export const accessLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  await next();
  const status = c.res.status;
  if (status < 400) {
    if (Math.random() >= getConfig(c.env).accessLogSampleRate) return;
    log.info("request served", {
      requestId: c.req.header("cf-ray") ?? c.get("requestId"),
      ...(c.req.header("cf-ray") && c.get("requestId") ? { xRequestId: c.get("requestId") } : {}),
      ...(await caller(c)),
      method: c.req.method,
      route: routeOf(c),
      status,
      durationMs: Date.now() - started,
    });
    return;
  }
  const ours = c.get("requestId");
  const ray = c.req.header("cf-ray");
  const error = c.error;
  const fields = {
    // cf-ray when Cloudflare sent one, else ours; ours (x-request-id, what a user quotes) rides along.
    requestId: ray ?? ours,
    ...(ray && ours ? { xRequestId: ours } : {}),
    ...(await caller(c)),
    method: c.req.method,
    route: routeOf(c),
    status,
    durationMs: Date.now() - started,
    ...(error instanceof AppError && error.options.code ? { code: error.options.code } : {}),
  };
  if (status < 500) log.warn("request refused", fields);
  else
    log.error("request failed", { ...fields, ...(error && !(error instanceof AppError) ? { error } : {}) });
  // An API request refused before it was metered (bad key, limits, validation, credit) still counts in the
  // metrics' error rate; a metered one got its point from the metering.
  if (c.req.path.startsWith("/v1/") && !c.get("metered")) refusedPoint(c, fields);
};

/** The metrics point of an API request refused before metering: no model answered, nothing was used. */
function refusedPoint(
  c: Context<AppEnv>,
  fields: { accountRef?: string; keyId?: string; status: number; durationMs: number; code?: string },
) {
  writeRequestPoint(c.env, {
    at: Date.now() - fields.durationMs,
    requestId: c.get("requestId"),
    accountRef: fields.accountRef ?? "",
    keyId: fields.keyId ?? "",
    model: "",
    provider: "none",
    endpoint: routeOf(c),
    status: fields.status,
    code: fields.code ?? "",
    fallback: false,
    metered: false,
    latencyMs: fields.durationMs,
    firstByteMs: fields.durationMs,
    inputTokens: 0,
    outputTokens: 0,
    costMicros: 0,
    meteringLagMs: 0,
  });
}
