// Health. GET /api/health: liveness — the Worker answers — with no binding call, unauthenticated and cacheable
// for a few seconds, so an uptime monitor probing it costs nothing. GET /api/health/deep: each binding's check
// and latency, for operators (a session) or a monitor holding HEALTH_TOKEN (a secret), rate limited. Each check
// is an entry in `healthChecks` — a capability that can break adds one line.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { accountObject } from "../account-object/stub";
import { isOperator } from "../accounts/middleware";
import { limitRequests } from "../ai/rate-limit";
import { timingSafeEqual } from "../crypto/encoding";
import type { AppEnv } from "../env";
import { unauthorized } from "../errors";
import { createRouter, errorResponses, jsonContent } from "../openapi";
import { brokenChecks } from "../privacy/promises/report";

/** `degrades`: its failure makes the status "degraded" (still 200), not "failing" (503). */
export type HealthCheck = { name: string; run: (env: Env) => Promise<unknown>; degrades?: boolean };

const TIMEOUT_MS = 3_000;
/** How long a shared cache or the monitor may reuse a liveness answer. */
const LIVENESS_MAX_AGE_S = 5;
/** Deep checks per minute (across isolates, through the rate-limit binding); each costs D1, R2 and DO calls. */
export const DEEP_CHECKS_PER_MINUTE = 60;

export const healthChecks: HealthCheck[] = [
  { name: "d1", run: (env) => env.DB.prepare("SELECT 1").first() },
  { name: "r2", run: (env) => env.CONTENT.head("health/probe") },
  { name: "durableObject", run: (env) => accountObject(env, "health-check").ping() },
  // A privacy promise the last promise check found broken (see /api/privacy/promises); the service still serves.
  {
    name: "privacyPromises",
    degrades: true,
    run: async (env) => {
      if ((await brokenChecks(env)).length) throw new Error("broken promise");
    },
  },
];

const Check = z.object({ ok: z.boolean(), latencyMs: z.number().int() }).openapi("HealthCheck");
const Health = z
  .object({ status: z.enum(["ok", "degraded", "failing"]), checks: z.record(z.string(), Check) })
  .openapi("Health");

async function runCheck(env: Env, check: HealthCheck): Promise<z.infer<typeof Check>> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), TIMEOUT_MS);
  });
  try {
    await Promise.race([check.run(env), timeout]);
    return { ok: true, latencyMs: Date.now() - started };
  } catch {
    return { ok: false, latencyMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Every check, run in parallel. */
export async function checkHealth(env: Env, checks = healthChecks): Promise<z.infer<typeof Health>> {
  const results = await Promise.all(
    checks.map(async (check) => [check.name, await runCheck(env, check)] as const),
  );
  const failed = results.filter(([, r]) => !r.ok).map(([name]) => checks.find((c) => c.name === name));
  const status = failed.length === 0 ? "ok" : failed.every((c) => c?.degrades) ? "degraded" : "failing";
  return { status, checks: Object.fromEntries(results) };
}

/** An operator's session, or `Authorization: Bearer <HEALTH_TOKEN>` when that secret is set. */
function mayRunDeepChecks(c: Context<AppEnv>) {
  if (isOperator(c.var.config, c.var.session)) return true;
  const token = c.env.HEALTH_TOKEN;
  const presented = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  return Boolean(token && presented && timingSafeEqual(presented, token));
}

export const healthRoutes = createRouter();
healthRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["Operations"],
    summary: "Liveness: the Worker answers (no binding is called; cacheable for a few seconds)",
    responses: { 200: jsonContent(z.object({ status: z.literal("ok") }).openapi("Liveness"), "Alive") },
  }),
  (c) => {
    c.header("Cache-Control", `public, max-age=${LIVENESS_MAX_AGE_S}`);
    return c.json({ status: "ok" as const }, 200);
  },
);

healthRoutes.openapi(
  createRoute({
    method: "get",
    path: "/deep",
    tags: ["Operations"],
    summary:
      "Each binding's check (D1, R2, Durable Objects, privacy promises) with its latency; for operators or `Authorization: Bearer <HEALTH_TOKEN>`, rate limited",
    security: [{ session: [] }, { healthToken: [] }],
    responses: {
      200: jsonContent(
        Health,
        "Every check passed, or only a degrading one failed (a broken privacy promise)",
      ),
      503: jsonContent(Health, "At least one check failed"),
      ...errorResponses(401, 429),
    },
  }),
  async (c) => {
    if (!mayRunDeepChecks(c))
      throw unauthorized(
        "Deep health checks need an operator session or the health token.",
        "health_token_required",
      );
    await limitRequests(
      c.env,
      "health:deep",
      DEEP_CHECKS_PER_MINUTE,
      `Deep health checks are limited to ${DEEP_CHECKS_PER_MINUTE} a minute.`,
    );
    const health = await checkHealth(c.env);
    c.header("Cache-Control", "no-store");
    return health.status === "failing" ? c.json(health, 503) : c.json(health, 200);
  },
);
