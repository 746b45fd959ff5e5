// What every request passes first, whichever app serves it (index.ts sends /v1 to the AI API's own app, the rest
// to the full one): errors rendered in one shape, the access log (first, so it sees the final status, the
// request id and any error rendered), the request id, an unread body drained, the security headers, and the
// config and database on the context.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { getConfig } from "./config";
import { getDb } from "./db";
import { drainUnreadBody } from "./drain-body";
import type { AppEnv } from "./env";
import { onError } from "./errors";
import { accessLog } from "./observability/access-log";
import { useLogFormat } from "./observability/log";
import { requestId } from "./request-id";
import { securityHeaders } from "./security/headers";

export function front<E extends AppEnv>(router: OpenAPIHono<E>): void {
  router.onError(onError);
  router.use("*", accessLog);
  router.use("*", requestId, drainUnreadBody, securityHeaders, async (c, next) => {
    const config = getConfig(c.env);
    c.set("config", config);
    useLogFormat(config.logFormat);
    c.set("db", getDb(c.env.DB));
    await next();
  });
}
