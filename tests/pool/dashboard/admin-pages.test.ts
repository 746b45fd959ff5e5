// The /admin pages' loaders and actions called as React Router calls them (a real Request with the session
// cookie, the workerd env in the load context): promise failures first, the per-request detail page.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Check } from "#worker/privacy/promises/checks";
import { runPromiseChecks } from "#worker/privacy/promises/report";
import { DAY_MS } from "#worker/time";
import * as admin from "../../../app/routes/admin";
import * as detail from "../../../app/routes/admin/request";
import { call, newUser, newVerifiedUser, operatorSession, PASSWORD } from "../support/helpers";
import { settle } from "../support/privacy-drive";
import { args, page, post, unwrap } from "../support/route-calls";

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
    await runPromiseChecks(env, ranAt, [
      fixed("p1.usage_schema", "P1", "kept"),
      fixed("p5.lifecycle_rules", "P5", "at_risk"),
      fixed("p9.deadlines", "P9", "broken"),
      fixed("p3.key_hashes", "P3", "kept"),
    ]);
    const data = await admin.loader(args(page("/admin", operator.cookie)));
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
    await runPromiseChecks(env, new Date(), [
      fixed("p5.lifecycle_rules", "P5", "kept"),
      fixed("p9.deadlines", "P9", "kept"),
    ]);
    const after = (await admin.loader(args(page("/admin", operator.cookie)))).promises;
    expect(after.failing.map((c) => c.id)).not.toContain("p9.deadlines");
    expect(after.kept.map((k) => k.id)).toContain("p9.deadlines");
  });

  it("records an emailed request; a bad form reports every field in plain words and keeps what was typed", async () => {
    const bad = unwrap(
      await admin.action(
        args(post("/admin", { email: "not-an-address", note: "mail of 2 Dec" }, operator.cookie)),
      ),
    );
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.error!.fields).sort()).toEqual(["email", "type"]);
    expect(bad.error!.fields.email).toBe("Enter the sender's email address.");
    expect(bad.values).toMatchObject({ email: "not-an-address", note: "mail of 2 Dec" });
    const user = await newVerifiedUser();
    const ok = unwrap(
      await admin.action(
        args(post("/admin", { email: user.email, type: "access", note: "mail of 2 Dec" }, operator.cookie)),
      ),
    ) as { recorded?: { id: string; status: string } };
    expect(ok.recorded).toMatchObject({ status: "verifying" });
    // Not an operator: refused, nothing recorded.
    const before = await env.DB.prepare("SELECT count(*) AS n FROM privacy_requests").first<{ n: number }>();
    const refused = unwrap(
      await admin.action(
        args(post("/admin", { email: user.email, type: "deletion", note: "" }, user.cookie)),
      ),
    );
    expect(refused.status).toBe(403);
    const after = await env.DB.prepare("SELECT count(*) AS n FROM privacy_requests").first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
  });

  it("is for verified operators only", async () => {
    const user = await newVerifiedUser();
    const refused = await admin.loader(args(page("/admin", user.cookie))).catch((e: unknown) => e);
    expect(refused).toMatchObject({ init: { status: 403 } });
    const anonymous = await admin.loader(args(page("/admin", ""))).catch((e: unknown) => e);
    expect(anonymous).toBeInstanceOf(Response);
  });
});

/** An emailed access request recorded by the operator for a verified account: waiting for confirmation. */
async function emailedRequest(email: string) {
  const res = await call("/api/admin/privacy/requests", {
    body: { email, type: "access", channel: "email", note: "mail of 1 Dec" },
    cookie: operator.cookie,
  });
  return (await res.json()) as { id: string; status: string };
}

const status = async (id: string) =>
  (await env.DB.prepare("SELECT status FROM privacy_requests WHERE id = ?")
    .bind(id)
    .first<{ status: string }>())!.status;

describe("/admin/requests/:id", () => {
  it("shows the timeline, audit and the actions that apply; unknown ids are a 404, others a 403", async () => {
    const user = await newVerifiedUser();
    const req = await emailedRequest(user.email);
    const path = `/admin/requests/${req.id}`;
    const d = await detail.loader(args(page(path, operator.cookie), { id: req.id }));
    expect(d.request).toMatchObject({
      id: req.id,
      status: "verifying",
      channel: "email",
      note: "mail of 1 Dec",
      canResend: true,
      canDeny: true,
      exportGone: false,
    });
    expect(d.request.timeline.map((t) => t.what)).toEqual(["received"]);
    expect(d.request.audit.map((a) => a.action)).toContain("request.recorded");
    expect(d.msLeft).toBeGreaterThan(29 * DAY_MS);
    // No email address on the page's data, and no receipt body.
    expect(JSON.stringify(d)).not.toContain(user.email);
    expect(d.request).not.toHaveProperty("receipt");

    for (const id of ["no-such-request", "x".repeat(65)]) {
      const missing = await detail
        .loader(args(page(`/admin/requests/${id}`, operator.cookie), { id }))
        .catch((e: unknown) => e);
      expect(missing).toMatchObject({ init: { status: 404 } });
    }
    const refused = await detail
      .loader(args(page(path, user.cookie), { id: req.id }))
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ init: { status: 403 } });
    // The queue links each row to its page.
    const queue = await admin.loader(args(page("/admin", operator.cookie)));
    expect(queue.queue.some((r) => r.id === req.id)).toBe(true);
  });

  it("re-sends the confirmation and denies with a reason; a bad or refused form changes nothing and keeps what was typed", async () => {
    const user = await newVerifiedUser();
    const req = await emailedRequest(user.email);
    const path = `/admin/requests/${req.id}`;
    const act = (cookie: string, fields: Record<string, string>) =>
      detail.action(args(post(path, fields, cookie), { id: req.id })).then(unwrap);
    const confirmations = async () =>
      (
        await env.DB.prepare(
          "SELECT count(*) AS n FROM notices WHERE \"to\" = ? AND kind = 'request_confirmation'",
        )
          .bind(user.email)
          .first<{ n: number }>()
      )?.n;
    const sentBefore = await confirmations();

    expect(await act(operator.cookie, { intent: "resend" })).toEqual({ done: "resent" });
    expect(await confirmations()).toBe(sentBefore! + 1);

    // A reason too short: every problem in plain words, the text kept, the request unchanged.
    const short = await act(operator.cookie, { intent: "deny", reason: " x " });
    expect(short.status).toBe(400);
    expect(short.error!.fields.reason).toMatch(/at least 3 characters/);
    expect(short.values).toMatchObject({ intent: "deny", reason: " x " });
    expect(await status(req.id)).toBe("verifying");
    // Not an operator: refused, nothing changes.
    const outsider = await act(user.cookie, { intent: "deny", reason: "I want it gone" });
    expect(outsider.status).toBe(403);
    expect(await status(req.id)).toBe("verifying");
    // An unknown intent is a plain 400, not a crash.
    expect((await act(operator.cookie, { intent: "explode" })).status).toBe(400);

    expect(
      await act(operator.cookie, { intent: "deny", reason: "The sender could not be identified." }),
    ).toEqual({
      done: "denied",
    });
    const after = await detail.loader(args(page(path, operator.cookie), { id: req.id }));
    expect(after.request).toMatchObject({
      status: "denied",
      denialReason: "The sender could not be identified.",
      canDeny: false,
      canResend: false,
      open: false,
    });
    expect(after.request.timeline.map((t) => t.what)).toEqual([
      "received",
      "denied: The sender could not be identified.",
    ]);
    expect(after.request.audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["request.confirmation_resent", "request.denied"]),
    );

    // Denying twice: a conflict in plain words, the reason kept; resending a denied request likewise.
    const again = await act(operator.cookie, { intent: "deny", reason: "Still no." });
    expect(again).toMatchObject({ status: 409, values: { reason: "Still no." } });
    expect(again.error!.message).toBe("Only a request that has not started can be denied.");
    expect((await act(operator.cookie, { intent: "resend" })).status).toBe(409);
    expect(await confirmations()).toBe(sentBefore! + 1);
    // A request that does not exist.
    const ghost = await detail
      .action(args(post("/admin/requests/nope", { intent: "resend" }, operator.cookie), { id: "nope" }))
      .then(unwrap);
    expect(ghost.status).toBe(404);
  });

  it("shows an export as gone once its account is deleted", async () => {
    const user = await newUser();
    const res = await call("/api/privacy/requests", { body: { type: "access" }, cookie: user.cookie });
    const access = (await res.json()) as { id: string };
    await settle(user.id, access.id);
    const before = await detail.loader(
      args(page(`/admin/requests/${access.id}`, operator.cookie), { id: access.id }),
    );
    expect(before.request).toMatchObject({ status: "completed", exportReady: true, exportGone: false });
    const del = await call("/api/privacy/requests", {
      body: { type: "deletion", password: PASSWORD },
      cookie: user.cookie,
    });
    const deletion = (await del.json()) as { id: string };
    await settle(user.id, deletion.id);
    const after = await detail.loader(
      args(page(`/admin/requests/${access.id}`, operator.cookie), { id: access.id }),
    );
    expect(after.request).toMatchObject({ exportGone: true, canResend: false, canDeny: false });
    const erased = await detail.loader(
      args(page(`/admin/requests/${deletion.id}`, operator.cookie), { id: deletion.id }),
    );
    expect(erased.request).toMatchObject({ type: "deletion", status: "completed", hasReceipt: true });
  });
});
