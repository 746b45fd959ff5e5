import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError } from "./helpers";
import { connectedUser, MODEL, newUser } from "./whatsapp-helpers";

const input = (overrides: Record<string, unknown> = {}) => ({
  phoneNumberId: `10${Math.floor(Math.random() * 1e12)}`,
  wabaId: "102290129340398",
  accessToken: "EAAGm0PX4ZCpsBAxxxxxxxxxxxxxxxxxxxxxxxx",
  appSecret: "0123456789abcdef0123456789abcdef",
  verifyToken: "a-long-verify-token-123",
  model: MODEL,
  systemPrompt: "Be brief.",
  ...overrides,
});

async function connectionRow(accountId: string) {
  return env.DB.prepare("SELECT * FROM whatsapp_connections WHERE account_id = ?")
    .bind(accountId)
    .first<Record<string, unknown>>();
}

describe("/api/whatsapp", () => {
  it("starts disconnected", async () => {
    const { cookie } = await newUser();
    const res = await call("/api/whatsapp", { cookie });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      connected: false,
      phoneNumberId: null,
      status: { lastError: null },
    });
  });

  it("connects, seals the secrets and never returns them", async () => {
    const { cookie, id } = await newUser();
    const body = input();
    const res = await call("/api/whatsapp", { method: "PUT", body, cookie });
    expect(res.status).toBe(200);
    const view = await res.json();
    expect(view).toMatchObject({
      connected: true,
      phoneNumberId: body.phoneNumberId,
      wabaId: body.wabaId,
      model: MODEL,
      systemPrompt: "Be brief.",
      nonTextMessages: "reply",
    });
    const text =
      JSON.stringify(view) + JSON.stringify(await (await call("/api/whatsapp", { cookie })).json());
    for (const secret of [body.accessToken, body.appSecret, body.verifyToken])
      expect(text).not.toContain(secret);
    const row = JSON.stringify(await connectionRow(id));
    for (const secret of [body.accessToken, body.appSecret, body.verifyToken])
      expect(row).not.toContain(secret);
  });

  it("updates settings and keeps the saved secrets when they are left out", async () => {
    const user = await connectedUser();
    const before = await connectionRow(user.accountId);
    const res = await call("/api/whatsapp", {
      method: "PUT",
      cookie: user.cookie,
      body: {
        phoneNumberId: user.phoneNumberId,
        wabaId: "123456",
        model: MODEL,
        systemPrompt: "New",
        nonTextMessages: "skip",
      },
    });
    expect(res.status).toBe(200);
    const after = await connectionRow(user.accountId);
    expect(after).toMatchObject({
      system_prompt: "New",
      non_text_messages: "skip",
      access_token_sealed: before!.access_token_sealed,
      app_secret_sealed: before!.app_secret_sealed,
      verify_token_hash: before!.verify_token_hash,
    });
  });

  it("gives one phone number id to one account only (409, nothing changed)", async () => {
    const alice = await connectedUser();
    const bob = await newUser();
    const e = await expectError(
      await call("/api/whatsapp", {
        method: "PUT",
        cookie: bob.cookie,
        body: input({ phoneNumberId: alice.phoneNumberId }),
      }),
      409,
    );
    expect(e.code).toBe("phone_number_taken");
    expect(await connectionRow(bob.id)).toBeNull();
    expect(await connectionRow(alice.accountId)).not.toBeNull();
  });

  it.each([
    ["a missing secret on first connect", input({ appSecret: undefined })],
    ["a non-numeric phone number id", input({ phoneNumberId: "abc" })],
    ["an unknown model", input({ model: "nope/none" })],
    ["an unknown field", input({ webhookUrl: "https://evil.example" })],
    ["a too-short verify token", input({ verifyToken: "short" })],
    ["an oversize system prompt", input({ systemPrompt: "x".repeat(4001) })],
  ])("refuses %s with 400 and stores nothing", async (_name, body) => {
    const { cookie, id } = await newUser();
    await expectError(await call("/api/whatsapp", { method: "PUT", body, cookie }), 400);
    expect(await connectionRow(id)).toBeNull();
  });

  it("refuses malformed JSON, and callers without a session", async () => {
    const { cookie } = await newUser();
    await expectError(
      await call("/api/whatsapp", {
        method: "PUT",
        rawBody: "{",
        cookie,
        headers: { "content-type": "application/json" },
      }),
      400,
    );
    await expectError(await call("/api/whatsapp", {}), 401);
    await expectError(await call("/api/whatsapp", { method: "PUT", body: input() }), 401);
    await expectError(await call("/api/whatsapp", { method: "DELETE" }), 401);
  });

  it("disconnects: the row and its secrets are gone; a second delete is 404", async () => {
    const user = await connectedUser();
    expect((await call("/api/whatsapp", { method: "DELETE", cookie: user.cookie })).status).toBe(204);
    expect(await connectionRow(user.accountId)).toBeNull();
    await expectError(await call("/api/whatsapp", { method: "DELETE", cookie: user.cookie }), 404);
    // The number is free again.
    const other = await newUser();
    const res = await call("/api/whatsapp", {
      method: "PUT",
      cookie: other.cookie,
      body: input({ phoneNumberId: user.phoneNumberId }),
    });
    expect(res.status).toBe(200);
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await (await call("/api/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(doc.paths["/api/whatsapp"]).toBeDefined();
    expect(doc.paths["/webhooks/whatsapp"]).toBeDefined();
  });
});
