// The README's Management API and error-shape lines not asserted literally elsewhere, each checked as it reads.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { usageRows } from "../support/ai-helpers";
import { call, expectError, mailboxLink, newKeyUser, newUser } from "../support/helpers";

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
const STATUSES = ["received", "verifying", "in_progress", "completed", "denied", "canceled"];

describe("README: Management API", () => {
  it("POST /api/keys {name} → 201 {id, name, prefix, key}", async () => {
    const { cookie } = await newUser();
    const res = await call("/api/keys", { body: { name: "contract" }, cookie });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: expect.any(String),
      name: "contract",
      prefix: expect.any(String),
      key: expect.any(String),
    });
  });

  it("GET /api/usage?groupBy=day → {rows:[{group, requests, inputTokens, outputTokens, cost}]}", async () => {
    const user = await newKeyUser();
    const chat = await call("/v1/chat/completions", {
      key: user.key,
      body: { model: "dev/echo", messages: [{ role: "user", content: "hi" }] },
    });
    expect(chat.status).toBe(200);
    await chat.arrayBuffer();
    await usageRows(user.id, 1);
    const res = await call("/api/usage?groupBy=day", { cookie: user.cookie });
    expect(res.status).toBe(200);
    const { rows } = (await res.json()) as { rows: Record<string, unknown>[] };
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      group: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      requests: 1,
      inputTokens: expect.any(Number),
      outputTokens: expect.any(Number),
      cost: expect.any(Number),
    });
  });

  it("POST /api/privacy/requests {type:access} → 202 {id,type,status,createdAt,dueAt}; GET list and /:id; status from the list; ISO 8601 times", async () => {
    const { cookie } = await newUser();
    const res = await call("/api/privacy/requests", { body: { type: "access" }, cookie });
    expect(res.status).toBe(202);
    const created = (await res.json()) as Record<string, unknown>;
    for (const field of ["id", "type", "status", "createdAt", "dueAt"]) expect(created).toHaveProperty(field);
    expect(created.type).toBe("access");
    expect(STATUSES).toContain(created.status);
    expect(created.createdAt).toMatch(ISO_8601);
    expect(created.dueAt).toMatch(ISO_8601);

    const one = await call(`/api/privacy/requests/${created.id}`, { cookie });
    expect(one.status).toBe(200);
    const read = (await one.json()) as Record<string, unknown>;
    expect(read).toMatchObject({ id: created.id, type: "access", createdAt: created.createdAt });
    expect(STATUSES).toContain(read.status);
    expect(read.dueAt).toMatch(ISO_8601);

    const list = await call("/api/privacy/requests", { cookie });
    expect(list.status).toBe(200);
    const { data } = (await list.json()) as { data: Record<string, unknown>[] };
    expect(data.map((r) => r.id)).toContain(created.id);
  });
  it("a verification link past its 24 h is refused, and the address stays unverified", async () => {
    const user = await newUser();
    const token = await mailboxLink(user.email, "email_verification");
    await env.DB.prepare(
      "UPDATE privacy_tokens SET expires_at = ? WHERE purpose = 'verify_email' AND account_id = ?",
    )
      .bind(Date.now() - 1_000, user.id)
      .run();
    const res = await call("/api/privacy/links", { body: { token } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    await expectError(res, res.status);
    const me = (await (await call("/api/account", { cookie: user.cookie })).json()) as {
      emailVerified: boolean;
    };
    expect(me.emailVerified).toBe(false);
  });

  it("POST /api/auth/password-reset {email} → 202 for any well-formed address, known or not", async () => {
    const user = await newUser();
    for (const email of [user.email, ` ${user.email} `, "nobody-at-all@example.org"]) {
      const res = await call("/api/auth/password-reset", { body: { email } });
      expect(res.status, email).toBe(202);
      await res.arrayBuffer();
    }
  });
});

describe("README and ADR 004: HTTP errors", () => {
  it("never an HTML page for an API path, even when a browser asks for HTML", async () => {
    for (const [path, status] of [
      ["/api/x", 404],
      ["/api/", 404],
      ["/api", 404],
      ["/v1/x", 401],
      ["/webhooks/x", 404],
      ["/api/keys", 401],
    ] as const) {
      const res = await call(path, { headers: { accept: "text/html,application/xhtml+xml" } });
      expect(res.headers.get("content-type"), path).toMatch(/application\/json/);
      await expectError(res, status);
    }
  });

  it("a wrong method on an API path answers in the one error shape, not HTML", async () => {
    const res = await call("/api/health", { method: "DELETE", headers: { accept: "text/html" } });
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.status).toBeGreaterThanOrEqual(400);
    await expectError(res, res.status);
  });
});
