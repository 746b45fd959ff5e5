import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, newKeyUser, newUser } from "./helpers";

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
