// P10's routing check: no request in the last hour went to a provider outside its account's data policy.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { allChecks } from "#worker/privacy/promises/checks";
import { usageRows } from "../support/ai-helpers";
import { call, newKeyUser } from "../support/helpers";
import { seedRequestLog, usageRow } from "../support/request-log";

const routing = allChecks().find((c) => c.id === "p10.data_policy_routing")!;

describe("p10.data_policy_routing", () => {
  it("is broken by a row sent to a provider the account's policy forbids, and names it", async () => {
    const user = await newKeyUser();
    await call("/api/settings/privacy", {
      method: "PUT",
      cookie: user.cookie,
      body: { dataPolicy: "eu_only" },
    });
    const now = Date.now();
    await seedRequestLog(user.id, [
      usageRow(user.id, user.keyId, {
        id: `ok-${user.id}`,
        provider: "dev",
        model: "dev/echo",
        createdAt: now,
      }),
      usageRow(user.id, user.keyId, {
        id: `refused-${user.id}`,
        provider: "none",
        status: 403,
        createdAt: now,
      }),
      usageRow(user.id, user.keyId, { id: `out-${user.id}`, provider: "openai", createdAt: now + 1 }),
    ]);
    const result = await routing.run(env, new Date(now + 1_000));
    expect(result.status).toBe("broken");
    expect(result.refs).toContain(`out-${user.id}`);
    expect(result.refs).not.toContain(`ok-${user.id}`);
    expect(result.refs).not.toContain(`refused-${user.id}`);
  });

  it("holds rows from before the policy changed, or older than an hour, to nothing", async () => {
    const user = await newKeyUser();
    const before = Date.now() - 1_000;
    await seedRequestLog(user.id, [
      usageRow(user.id, user.keyId, { id: `early-${user.id}`, provider: "openai", createdAt: before }),
    ]);
    await call("/api/settings/privacy", {
      method: "PUT",
      cookie: user.cookie,
      body: { dataPolicy: "eu_only" },
    });
    const result = await routing.run(env, new Date());
    expect(result.refs ?? []).not.toContain(`early-${user.id}`);
  });

  it("is kept when the routed requests satisfy the policy", async () => {
    const user = await newKeyUser();
    await call("/api/settings/privacy", {
      method: "PUT",
      cookie: user.cookie,
      body: { dataPolicy: "no_training" },
    });
    const res = await call("/v1/chat/completions", {
      key: user.key,
      body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
    });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id")!;
    await usageRows(user.id, 1);
    const result = await routing.run(env, new Date(Date.now() + 1_000));
    expect(result.facts.rowsChecked).toBeGreaterThan(0);
    expect(result.refs ?? []).not.toContain(id);
  });
});
