import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_KEYS_PER_ACCOUNT } from "#worker/keys/service";
import { call, expectError, newKeyUser, newUser } from "../support/helpers";

describe("API keys", () => {
  it("shows the secret once and stores only its hash and prefix", async () => {
    const { cookie } = await newUser();
    const res = await call("/api/keys", { body: { name: "server" }, cookie });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; key: string; prefix: string };
    expect(created.key).toMatch(/^bm_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const row = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?")
      .bind(created.id)
      .first<Record<string, string>>();
    expect(Object.values(row!)).not.toContain(created.key);
    const list = (await (await call("/api/keys", { cookie })).json()) as { data: Record<string, unknown>[] };
    expect(list.data).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(created.key);
    expect(list.data[0]).toMatchObject({
      name: "server",
      prefix: created.prefix,
      lastUsedAt: null,
      revokedAt: null,
    });
  });

  it("authenticates /v1 with Bearer and with x-api-key, and records last use", async () => {
    const { key, keyId } = await newKeyUser();
    expect((await call("/v1/models", { key })).status).toBe(200);
    expect((await call("/v1/models", { headers: { "x-api-key": key } })).status).toBe(200);
    const row = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?")
      .bind(keyId)
      .first<{ last_used_at: number }>();
    expect(row!.last_used_at).toBeGreaterThan(0);
  });

  it("does not rewrite a last use under a minute old when an isolate reads the key from D1", async () => {
    // As after the isolate's cached entry expired (every 10 s): the stored last use counts as written.
    const { key, keyId } = await newKeyUser();
    const recent = Date.now() - 5_000;
    await env.DB.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?").bind(recent, keyId).run();
    expect((await call("/v1/models", { key })).status).toBe(200);
    expect((await call("/v1/models", { key })).status).toBe(200);
    const row = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?")
      .bind(keyId)
      .first<{ last_used_at: number }>();
    expect(row!.last_used_at).toBe(recent);
  });

  it.each([
    ["no key", {}, "missing_api_key"],
    ["a wrong key", { key: "bm_wrongwrongwrongwrongwrongwrongwrongwrongwrong" }, "invalid_api_key"],
    ["a key of another format", { key: "sk-123" }, "invalid_api_key"],
  ])("refuses %s with 401", async (_name, init, code) => {
    const e = await expectError(await call("/v1/models", init), 401);
    expect(e.code).toBe(code);
  });

  it("revokes at once, even right after the key was cached", async () => {
    const { key, keyId, cookie } = await newKeyUser();
    expect((await call("/v1/models", { key })).status).toBe(200);
    expect((await call(`/api/keys/${keyId}`, { method: "DELETE", cookie })).status).toBe(204);
    await expectError(await call("/v1/models", { key }), 401);
  });

  it("refuses bad key input and changes nothing", async () => {
    const { cookie } = await newUser();
    await expectError(await call("/api/keys", { body: { name: "" }, cookie }), 400);
    await expectError(await call("/api/keys", { body: { name: "a".repeat(101) }, cookie }), 400);
    await expectError(await call("/api/keys", { body: { name: "x", scope: "admin" }, cookie }), 400);
    const list = (await (await call("/api/keys", { cookie })).json()) as { data: unknown[] };
    expect(list.data).toHaveLength(0);
  });
});

describe("tenant isolation", () => {
  it("one account cannot see or revoke another's keys", async () => {
    const alice = await newKeyUser();
    const bob = await newUser();
    const bobList = (await (await call("/api/keys", { cookie: bob.cookie })).json()) as { data: unknown[] };
    expect(bobList.data).toHaveLength(0);
    await expectError(await call(`/api/keys/${alice.keyId}`, { method: "DELETE", cookie: bob.cookie }), 404);
    expect((await call("/v1/models", { key: alice.key })).status).toBe(200);
  });
});

describe("key settings", () => {
  it("renames a key and sets and clears its expiry, spend limit and rate limit", async () => {
    const { cookie, keyId } = await newKeyUser();
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const res = await call(`/api/keys/${keyId}`, {
      method: "PATCH",
      cookie,
      body: { name: "renamed", expiresAt, monthlySpendLimitCents: 500, rateLimitRpm: 120 },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      name: "renamed",
      expiresAt,
      monthlySpendLimitCents: 500,
      rateLimitRpm: 120,
    });
    const row = await env.DB.prepare(
      "SELECT name, expires_at, monthly_spend_limit_micros, rate_limit_rpm FROM api_keys WHERE id = ?",
    )
      .bind(keyId)
      .first<Record<string, unknown>>();
    expect(row).toEqual({
      name: "renamed",
      expires_at: Date.parse(expiresAt),
      monthly_spend_limit_micros: 5_000_000,
      rate_limit_rpm: 120,
    });
    const cleared = await call(`/api/keys/${keyId}`, {
      method: "PATCH",
      cookie,
      body: { expiresAt: null, monthlySpendLimitCents: null, rateLimitRpm: null },
    });
    expect(await cleared.json()).toMatchObject({
      name: "renamed",
      expiresAt: null,
      monthlySpendLimitCents: null,
      rateLimitRpm: null,
    });
  });

  it("caps a key's rate limit at the plan's ceiling and refuses a past expiry", async () => {
    const { cookie, keyId } = await newKeyUser();
    const above = await expectError(
      await call(`/api/keys/${keyId}`, { method: "PATCH", cookie, body: { rateLimitRpm: 601 } }),
      400,
    );
    expect(above).toMatchObject({ code: "rate_limit_above_plan", param: "rateLimitRpm" });
    expect(above.message).toContain("600");
    await expectError(await call("/api/keys", { cookie, body: { name: "x", rateLimitRpm: 5000 } }), 400);
    const past = await expectError(
      await call(`/api/keys/${keyId}`, {
        method: "PATCH",
        cookie,
        body: { expiresAt: new Date(Date.now() - 1000).toISOString() },
      }),
      400,
    );
    expect(past.code).toBe("expiry_in_past");
    expect(
      (await call(`/api/keys/${keyId}`, { method: "PATCH", cookie, body: { rateLimitRpm: 600 } })).status,
    ).toBe(200);
  });

  it("creates a key with its settings", async () => {
    const { cookie } = await newUser();
    const res = await call("/api/keys", {
      cookie,
      body: { name: "ci", monthlySpendLimitCents: 100, rateLimitRpm: 10 },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: "ci", monthlySpendLimitCents: 100, rateLimitRpm: 10 });
  });

  it(`allows at most ${MAX_KEYS_PER_ACCOUNT} active keys per account`, async () => {
    const { cookie } = await newUser();
    const ids: string[] = [];
    for (let i = 0; i < MAX_KEYS_PER_ACCOUNT; i++) {
      const res = await call("/api/keys", { cookie, body: { name: `k${i}` } });
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const e = await expectError(await call("/api/keys", { cookie, body: { name: "one too many" } }), 409);
    expect(e.code).toBe("too_many_keys");
    expect((await call(`/api/keys/${ids[0]}`, { method: "DELETE", cookie })).status).toBe(204);
    expect((await call("/api/keys", { cookie, body: { name: "after revoking" } })).status).toBe(201);
  });

  it("another account's key is not found, and a revoked key cannot change", async () => {
    const alice = await newKeyUser();
    const bob = await newUser();
    await expectError(
      await call(`/api/keys/${alice.keyId}`, { method: "PATCH", cookie: bob.cookie, body: { name: "mine" } }),
      404,
    );
    await expectError(await call(`/api/keys/${alice.keyId}`, { cookie: bob.cookie }), 404);
    expect((await call(`/api/keys/${alice.keyId}`, { method: "DELETE", cookie: alice.cookie })).status).toBe(
      204,
    );
    const e = await expectError(
      await call(`/api/keys/${alice.keyId}`, {
        method: "PATCH",
        cookie: alice.cookie,
        body: { name: "late" },
      }),
      409,
    );
    expect(e.code).toBe("key_revoked");
  });
});
