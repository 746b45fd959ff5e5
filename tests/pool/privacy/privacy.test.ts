import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { alertDeadlines } from "#worker/privacy/jobs/cron";
import {
  call,
  expectError,
  mailboxLink,
  newUser,
  newVerifiedUser,
  operatorSession,
  PASSWORD,
  uniqueEmail,
} from "../support/helpers";
import { settle } from "../support/privacy-drive";
import { SECRETS, seedAccount } from "../support/privacy-seed";

type Req = {
  id: string;
  status: string;
  type: string;
  dueAt: string;
  createdAt: string;
  exportReady: boolean;
};

let operator: { cookie: string };
beforeAll(async () => {
  operator = await operatorSession();
});

describe("access and portability", () => {
  it("exports everything held about the account, and no secret", async () => {
    const user = await seedAccount();
    const res = await call("/api/privacy/requests", { body: { type: "access" }, cookie: user.cookie });
    expect(res.status).toBe(202);
    const req = (await res.json()) as Req;
    expect(req).toMatchObject({ type: "access", status: "in_progress" });
    expect(new Date(req.dueAt).getTime() - new Date(req.createdAt).getTime()).toBeLessThanOrEqual(
      30 * 86_400_000,
    );
    expect(await settle(user.id, req.id)).toBe("completed");

    const download = await call(`/api/privacy/requests/${req.id}/export`, { cookie: user.cookie });
    expect(download.status).toBe(200);
    const text = await download.text();
    const doc = JSON.parse(text) as { summary: string; processing: object; data: Record<string, unknown[]> };
    expect(doc.summary).toContain("usage: 3 records.");
    expect(doc.processing).toHaveProperty("recipients");
    for (const section of [
      "profile",
      "usage",
      "api_keys",
      "sessions",
      "consent_history",
      "billing",
      "whatsapp_connection",
      "whatsapp_messages",
      "notices",
      "privacy_requests",
    ]) {
      expect(doc.data[section]?.length, section).toBeGreaterThan(0);
    }
    expect(doc.data.profile![0]).toMatchObject({ email: user.email });
    for (const secret of [
      user.key,
      SECRETS.accessToken,
      SECRETS.appSecret,
      SECRETS.pending,
      "password_hash",
      "key_hash",
    ]) {
      expect(text).not.toContain(secret);
    }
    const session = user.cookie.split("=")[1]!;
    expect(text).not.toContain(session);
    // The parts at rest are sealed, not readable JSON.
    const listed = await env.CONTENT.list({ prefix: `exports/${user.id}/` });
    expect(listed.objects.length).toBeGreaterThan(0);
    const raw = await (await env.CONTENT.get(listed.objects[0]!.key))!.text();
    expect(raw).not.toContain(user.email);
  });

  it("lets no other account read a request or its export", async () => {
    const owner = await newUser();
    const other = await newUser();
    const req = (await (
      await call("/api/privacy/requests", { body: { type: "access" }, cookie: owner.cookie })
    ).json()) as Req;
    await settle(owner.id, req.id);
    await expectError(await call(`/api/privacy/requests/${req.id}`, { cookie: other.cookie }), 404);
    await expectError(await call(`/api/privacy/requests/${req.id}/export`, { cookie: other.cookie }), 404);
    await expectError(await call(`/api/privacy/requests/${req.id}/export`), 401);
    const list = (await (await call("/api/privacy/requests", { cookie: other.cookie })).json()) as {
      data: Req[];
    };
    expect(list.data).toEqual([]);
  });

  it.each([
    ["an unknown type", { type: "everything" }],
    ["an unknown field", { type: "access", extra: 1 }],
  ])("refuses %s with 400 and records nothing", async (_n, body) => {
    const user = await newUser();
    await expectError(await call("/api/privacy/requests", { body, cookie: user.cookie }), 400);
    const list = (await (await call("/api/privacy/requests", { cookie: user.cookie })).json()) as {
      data: Req[];
    };
    expect(list.data).toEqual([]);
  });

  it("refuses deletion without the password, and changes nothing", async () => {
    const user = await newUser();
    const res = await call("/api/privacy/requests", {
      body: { type: "deletion", password: "wrong password!" },
      cookie: user.cookie,
    });
    expect((await expectError(res, 401)).code).toBe("reauth_required");
    expect((await call("/api/account", { cookie: user.cookie })).status).toBe(200);
  });
});

describe("requests by email", () => {
  it("records an emailed request, confirms it only through a single-use link to the account's address", async () => {
    const user = await seedAccount(); // verified by the seed
    const body = {
      email: user.email.toUpperCase(),
      type: "access",
      channel: "email",
      note: "Mail of 2026-11-28",
    };
    await expectError(await call("/api/admin/privacy/requests", { body, cookie: user.cookie }), 403);
    const res = await call("/api/admin/privacy/requests", { body, cookie: operator.cookie });
    expect(res.status).toBe(201);
    const req = (await res.json()) as Req;
    expect(req.status).toBe("verifying");
    const queue = (await (await call("/api/admin/privacy/requests", { cookie: operator.cookie })).json()) as {
      data: (Req & { msLeft: number })[];
    };
    expect(queue.data.find((r) => r.id === req.id)!.msLeft).toBeGreaterThan(29 * 86_400_000);

    const token = await mailboxLink(user.email, "request_confirmation");
    const used = await call("/api/privacy/links", { body: { token } });
    expect(used.status).toBe(200);
    await expectError(await call("/api/privacy/links", { body: { token } }), 400);
    await expectError(await call("/api/privacy/links", { body: { token: "forged-token-value" } }), 400);
    expect(await settle(user.id, req.id)).toBe("completed");
    const audit = await env.DB.prepare(
      "SELECT action, actor FROM privacy_audit WHERE request_id = ? ORDER BY at",
    )
      .bind(req.id)
      .all<{ action: string; actor: string }>();
    expect(audit.results.map((a) => a.action)).toEqual([
      "request.recorded",
      "request.confirmed",
      "export.ready",
    ]);
  });

  it("denies a request for an address with no account, and sends nothing", async () => {
    const email = uniqueEmail("nobody");
    const res = await call("/api/admin/privacy/requests", {
      body: { email, type: "deletion", channel: "email", note: "" },
      cookie: operator.cookie,
    });
    expect(((await res.json()) as Req).status).toBe("denied");
    const box = (await (await call(`/dev/mailbox?format=json&to=${encodeURIComponent(email)}`)).json()) as {
      data: unknown[];
    };
    expect(box.data).toEqual([]);
  });

  it("raises nearly-due and overdue requests to operators once each", async () => {
    const user = await newVerifiedUser();
    const req = (await (
      await call("/api/admin/privacy/requests", {
        body: { email: user.email, type: "access", channel: "email", note: "" },
        cookie: operator.cookie,
      })
    ).json()) as Req;
    const due = new Date(req.dueAt).getTime();
    const level = () =>
      env.DB.prepare("SELECT alert_level AS l FROM privacy_requests WHERE id = ?")
        .bind(req.id)
        .first<{ l: number }>();
    await alertDeadlines(env, new Date(due - 10 * 86_400_000));
    expect((await level())!.l).toBe(0);
    await alertDeadlines(env, new Date(due - 2 * 86_400_000));
    expect((await level())!.l).toBe(1);
    await alertDeadlines(env, new Date(due + 1000));
    expect((await level())!.l).toBe(2);
    const box = (await (await call("/dev/mailbox?format=json&to=operator%40example.com")).json()) as {
      data: { subject: string }[];
    };
    expect(box.data.filter((m) => m.subject.includes(req.id))).toHaveLength(2);
    const queue = (await (await call("/api/admin/privacy/requests", { cookie: operator.cookie })).json()) as {
      data: { id: string }[];
    };
    expect(queue.data.length).toBeGreaterThan(0);
  });
});

describe("rectification", () => {
  it("changes the email only after the link sent to the new address is used", async () => {
    const user = await newVerifiedUser();
    const next = uniqueEmail("new");
    const res = await call("/api/account", {
      method: "PATCH",
      body: { email: next, password: PASSWORD },
      cookie: user.cookie,
    });
    expect(((await res.json()) as { email: string; pendingEmail: string }).pendingEmail).toBe(next);
    expect(
      ((await (await call("/api/account", { cookie: user.cookie })).json()) as { email: string }).email,
    ).toBe(user.email);
    const token = await mailboxLink(next, "email_change");
    // Confirmed in the browser that asked: that session stays, every other one ends.
    expect((await call("/api/privacy/links", { body: { token }, cookie: user.cookie })).status).toBe(200);
    expect(
      ((await (await call("/api/account", { cookie: user.cookie })).json()) as { email: string }).email,
    ).toBe(next);
  });

  it("refuses a taken email with 409 and changes nothing", async () => {
    const user = await newVerifiedUser();
    const other = await newUser();
    const res = await call("/api/account", {
      method: "PATCH",
      body: { email: other.email, name: "X", password: PASSWORD },
      cookie: user.cookie,
    });
    expect((await expectError(res, 409)).code).toBe("email_taken");
    const account = (await (await call("/api/account", { cookie: user.cookie })).json()) as {
      name: string | null;
    };
    expect(account.name).toBeNull();
  });
});
