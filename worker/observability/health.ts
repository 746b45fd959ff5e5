// GET /api/health: is each binding answering, and how fast. Unauthenticated, cheap, no data. Each check is an
// entry in `healthChecks` — a capability that can break adds one line.
import { createRoute, z } from "@hono/zod-openapi";
import { accountObject } from "../account-object/stub";
import { createRouter, jsonContent } from "../openapi";
import { brokenChecks } from "../privacy/promises/report";

/** `degrades`: its failure makes the status "degraded" (still 200), not "failing" (503). */
export type HealthCheck = { name: string; run: (env: Env) => Promise<unknown>; degrades?: boolean };

const TIMEOUT_MS = 3_000;

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

export const healthRoutes = createRouter();
healthRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["Operations"],
    summary: "Health of the Worker's bindings (D1, R2, Durable Objects), each with its latency",
    responses: {
      200: jsonContent(
        Health,
        "Every check passed, or only a degrading one failed (a broken privacy promise)",
      ),
      503: jsonContent(Health, "At least one check failed"),
    },
  }),
  async (c) => {
    const health = await checkHealth(c.env);
    c.header("Cache-Control", "no-store");
    return health.status === "failing" ? c.json(health, 503) : c.json(health, 200);
  },
);
