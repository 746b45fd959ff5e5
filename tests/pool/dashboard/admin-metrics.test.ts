// /admin/metrics and /admin's search for a customer's failures, their loaders and actions called as React
// Router calls them: the hourly tables from the local stand-in, and a customer's failed requests found by
// email or account id — ids, codes and times, never the content they carried.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "#worker/index";
import { accountRef } from "#worker/observability/account-ref";
import * as admin from "../../../app/routes/admin";
import * as metrics from "../../../app/routes/admin/metrics";
import { newKeyUser, ORIGIN, operatorSession } from "../support/helpers";
import { args, page, post, unwrap } from "../support/route-calls";

let operator: { cookie: string; id: string };
beforeAll(async () => {
  operator = await operatorSession();
});

const MARK = "admin-failure-marker-9Kd";

async function chat(key: string, model: string) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${ORIGIN}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: `Say ${MARK}` }] }),
    }),
    env,
    ctx,
  );
  await res.text();
  await waitOnExecutionContext(ctx);
  return res;
}

describe("/admin/metrics", () => {
  it("shows the hours of the range with requests, errors by code and provider, and the alerts", async () => {
    const user = await newKeyUser();
    await chat(user.key, "dev/echo");
    await chat(user.key, "nobody/nothing");
    const data = await metrics.loader(args(page("/admin/metrics?hours=6", operator.cookie)));
    expect(data.hours).toBe(6);
    expect(data.source).toBe("local");
    expect(data.report!.hours.length).toBeGreaterThanOrEqual(6);
    const now = data.report!.hours.at(-1)!;
    expect(now.requests).toBeGreaterThanOrEqual(2);
    expect(now.errorsByCode.map((e) => e.code)).toContain("model_not_found");
    expect(now.errorsByProvider.map((e) => e.provider)).toContain("none");
    // An unknown range falls back to 24 hours.
    expect((await metrics.loader(args(page("/admin/metrics?hours=5", operator.cookie)))).hours).toBe(24);
  });

  it("is for operators only", async () => {
    const user = await newKeyUser();
    await expect(metrics.loader(args(page("/admin/metrics", user.cookie)))).rejects.toMatchObject({
      init: { status: 403 },
    });
  });
});

describe("/admin: a customer's failed requests", () => {
  it("finds them by email or account id, with ids and codes but no content, and notes the search", async () => {
    const user = await newKeyUser();
    const failed = await chat(user.key, "nobody/nothing");
    expect(failed.status).toBe(404);
    const requestId = failed.headers.get("x-request-id")!;
    await chat(user.key, "dev/echo"); // a success is not a failure

    for (const who of [user.email.toUpperCase(), user.id]) {
      const result = unwrap(
        await admin.action(args(post("/admin", { intent: "find-failures", who }, operator.cookie))),
      );
      const searched = result.searched as {
        accountId: string;
        accountRef: string;
        failures: { requestId: string; keyId: string; status: number; code: string }[];
      };
      expect(searched.accountId).toBe(user.id);
      expect(searched.accountRef).toBe(await accountRef(env, user.id));
      expect(searched.failures).toHaveLength(1);
      expect(searched.failures[0]).toMatchObject({
        requestId,
        keyId: user.keyId,
        status: 404,
        code: "model_not_found",
      });
      expect(JSON.stringify(result)).not.toContain(MARK);
    }
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM operator_audit WHERE action = 'metrics.failures.searched' AND target = ?",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(audit?.n).toBe(2);
  });

  it("says when no account matches, and refuses a customer", async () => {
    const none = unwrap(
      await admin.action(
        args(post("/admin", { intent: "find-failures", who: "nobody@example.com" }, operator.cookie)),
      ),
    );
    expect(none.searched).toEqual({ notFound: true });
    const user = await newKeyUser();
    const refused = unwrap(
      await admin.action(args(post("/admin", { intent: "find-failures", who: user.id }, user.cookie))),
    );
    expect(refused.status).toBe(403);
    const empty = unwrap(
      await admin.action(args(post("/admin", { intent: "find-failures", who: " " }, operator.cookie))),
    );
    expect(empty.error?.fields.who).toBeTruthy();
  });
});
