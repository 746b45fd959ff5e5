// The operators' view of one request: timeline and audit, deny with a reason, re-send the confirmation —
// each recorded in the operator audit; a deleted account's export shows as gone in the queue.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectError, newUser, operatorSession, PASSWORD, verifyEmail } from "../support/helpers";
import { settle } from "../support/privacy-drive";

let operator: { cookie: string; id: string };
beforeAll(async () => {
  operator = await operatorSession();
});

const record = async (email: string) =>
  (await (
    await call("/api/admin/privacy/requests", {
      body: { email, type: "access", channel: "email", note: "mail of 1 Dec" },
      cookie: operator.cookie,
    })
  ).json()) as { id: string; status: string };

const operatorActions = async (target: string) =>
  (
    await env.DB.prepare("SELECT action FROM operator_audit WHERE target = ? ORDER BY at").bind(target).all<{
      action: string;
    }>()
  ).results.map((r) => r.action);

describe("admin request detail", () => {
  it("shows the timeline and audit, re-sends the confirmation, denies with a reason, and records both", async () => {
    const user = await newUser();
    await verifyEmail(user.email, user.cookie);
    const req = await record(user.email);
    expect(req.status).toBe("verifying");
    const detail = (await (
      await call(`/api/admin/privacy/requests/${req.id}`, { cookie: operator.cookie })
    ).json()) as {
      timeline: { what: string }[];
      audit: { action: string }[];
      canResend: boolean;
      canDeny: boolean;
    };
    expect(detail.timeline[0]!.what).toBe("received");
    expect(detail.audit.map((a) => a.action)).toContain("request.recorded");
    expect(detail).toMatchObject({ canResend: true, canDeny: true });

    expect(
      (
        await call(`/api/admin/privacy/requests/${req.id}/resend`, {
          method: "POST",
          cookie: operator.cookie,
        })
      ).status,
    ).toBe(200);
    const mails = await env.DB.prepare(
      "SELECT count(*) AS n FROM notices WHERE \"to\" = ? AND kind = 'request_confirmation'",
    )
      .bind(user.email)
      .first<{ n: number }>();
    expect(mails!.n).toBe(2);

    const denied = await call(`/api/admin/privacy/requests/${req.id}/deny`, {
      body: { reason: "The sender could not be identified." },
      cookie: operator.cookie,
    });
    expect(await denied.json()).toMatchObject({
      status: "denied",
      denialReason: "The sender could not be identified.",
    });
    await expectError(
      await call(`/api/admin/privacy/requests/${req.id}/deny`, {
        body: { reason: "again" },
        cookie: operator.cookie,
      }),
      409,
    );
    expect(await operatorActions(req.id)).toEqual([
      "privacy.request.recorded",
      "privacy.request.confirmation_resent",
      "privacy.request.denied",
    ]);
    // Not for account holders.
    await expectError(await call(`/api/admin/privacy/requests/${req.id}`, { cookie: user.cookie }), 403);
  });

  it("shows an export as gone once its account is deleted", async () => {
    const user = await newUser();
    const res = await call("/api/privacy/requests", { body: { type: "access" }, cookie: user.cookie });
    const access = (await res.json()) as { id: string };
    await settle(user.id, access.id);
    const del = await call("/api/privacy/requests", {
      body: { type: "deletion", password: PASSWORD },
      cookie: user.cookie,
    });
    const deletion = (await del.json()) as { id: string };
    await settle(user.id, deletion.id);
    const queue = (await (await call("/api/admin/privacy/requests", { cookie: operator.cookie })).json()) as {
      data: { id: string; exportReady: boolean; progress: string }[];
    };
    const row = queue.data.find((r) => r.id === access.id)!;
    expect(row).toMatchObject({ exportReady: false, progress: "export deleted with the account" });
  });
});
