// The /admin pages' loaders and actions called as React Router calls them (a real Request with the session
// cookie, the workerd env in the load context): promise failures first, the per-request detail page.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import * as admin from "../../app/routes/admin";
import { DAY_MS } from "../../worker/content/layout";
import type { Check } from "../../worker/privacy/promises/audits";
import { runSelfAudits } from "../../worker/privacy/promises/report";
import { newVerifiedUser, ORIGIN, operatorSession } from "./helpers";

const ctx = { waitUntil: () => {}, passThroughOnException: () => {} } as unknown as ExecutionContext;
const context = { cloudflare: { env, ctx }, cspNonce: "n", requestId: crypto.randomUUID() };
// biome-ignore lint/suspicious/noExplicitAny: route args are typed per route by React Router's typegen
const args = (request: Request, params: Record<string, string> = {}) => ({ request, context, params }) as any;
const get = (path: string, cookie: string) => new Request(`${ORIGIN}${path}`, { headers: { cookie } });

let operator: { cookie: string; id: string };
beforeAll(async () => {
  operator = await operatorSession();
});

const fixed = (id: string, promise: string, status: "kept" | "at_risk" | "broken"): Check => ({
  id,
  promise,
  run: async () => ({
    status,
    summary: `${id} is ${status}.`,
    facts: { sample: 3 },
    ...(status === "kept" ? {} : { refs: [`ref-${id}`] }),
  }),
});

describe("/admin", () => {
  it("shows the promises section first: broken, then at risk, with evidence and last run; kept ones only counted", async () => {
    const ranAt = new Date(Date.now() - DAY_MS);
    await runSelfAudits(env, ranAt, [
      fixed("p1.usage_schema", "P1", "kept"),
      fixed("p5.lifecycle_rules", "P5", "at_risk"),
      fixed("p9.deadlines", "P9", "broken"),
      fixed("p3.key_hashes", "P3", "kept"),
    ]);
    const data = await admin.loader(args(get("/admin", operator.cookie)));
    const { promises } = data;
    expect(Object.keys(data)[1]).toBe("promises");
    expect(promises.status).toBe("broken");
    // Broken first, then at risk (checks never run yet count as at risk too).
    const statuses = promises.failing.map((c) => c.status);
    expect(statuses).toEqual([...statuses].sort((a, b) => (a === b ? 0 : a === "broken" ? -1 : 1)));
    expect(promises.failing[0]!.id).toBe("p9.deadlines");
    expect(promises.failing.find((c) => c.id === "p5.lifecycle_rules")).toMatchObject({ status: "at_risk" });
    const broken = promises.failing[0]!;
    expect(broken).toMatchObject({
      promiseId: "P9",
      summary: "p9.deadlines is broken.",
      facts: { sample: 3 },
      refs: ["ref-p9.deadlines"],
      ranAt: ranAt.toISOString(),
    });
    expect(promises.failing.every((c) => c.status !== "kept")).toBe(true);
    expect(promises.kept.map((k) => k.id)).toEqual(
      expect.arrayContaining(["p1.usage_schema", "p3.key_hashes"]),
    );
    expect(promises.kept.length + promises.failing.length).toBe(promises.total);
    expect(promises.lastRunAt).not.toBeNull();
    // Repaired: nothing left failing from these.
    await runSelfAudits(env, new Date(), [
      fixed("p5.lifecycle_rules", "P5", "kept"),
      fixed("p9.deadlines", "P9", "kept"),
    ]);
    const after = (await admin.loader(args(get("/admin", operator.cookie)))).promises;
    expect(after.failing.map((c) => c.id)).not.toContain("p9.deadlines");
    expect(after.kept.map((k) => k.id)).toContain("p9.deadlines");
  });

  it("is for verified operators only", async () => {
    const user = await newVerifiedUser();
    const refused = await admin.loader(args(get("/admin", user.cookie))).catch((e: unknown) => e);
    expect(refused).toMatchObject({ init: { status: 403 } });
    const anonymous = await admin.loader(args(get("/admin", ""))).catch((e: unknown) => e);
    expect(anonymous).toBeInstanceOf(Response);
  });
});
