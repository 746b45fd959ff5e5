// One log line per refused or failed request (4xx: one warn line, no stack; 5xx: an error line with the error's
// name and first frame). Successful requests are left to the platform's own invocation logs.
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { log } from "./log";

/** The matched route pattern (`/api/keys/:id`), or the path for the dashboard's catch-all; never a query. */
function routeOf(c: Context<AppEnv>): string {
  const pattern = c.req.routePath;
  return pattern && pattern !== "*" && pattern !== "/*" ? pattern : c.req.path;
}

export const accessLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  await next();
  const status = c.res.status;
  if (status < 400) return;
  const ours = c.get("requestId");
  const ray = c.req.header("cf-ray");
  const error = c.error;
  const fields = {
    // cf-ray when Cloudflare sent one, else ours; ours (x-request-id, what a user quotes) rides along.
    requestId: ray ?? ours,
    ...(ray && ours ? { xRequestId: ours } : {}),
    method: c.req.method,
    route: routeOf(c),
    status,
    durationMs: Date.now() - started,
    ...(error instanceof AppError && error.options.code ? { code: error.options.code } : {}),
  };
  if (status < 500) log.warn("request refused", fields);
  else
    log.error("request failed", { ...fields, ...(error && !(error instanceof AppError) ? { error } : {}) });
};
