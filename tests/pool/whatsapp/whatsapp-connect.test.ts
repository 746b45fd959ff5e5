import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, PASSWORD } from "../support/helpers";
import { connectedUser, MODEL, newUser, ownNumber } from "../support/whatsapp-helpers";

const input = (overrides: Record<string, unknown> = {}) => ({
  phoneNumberId: `10${Math.floor(Math.random() * 1e12)}`,
  wabaId: "102290129340398",
  accessToken: "EAAGm0PX4ZCpsBAxxxxxxxxxxxxxxxxxxxxxxxx",
  appSecret: "0123456789abcdef0123456789abcdef",
  verifyToken: "a-long-verify-token-123",
  model: MODEL,
  systemPrompt: "Be brief.",
  password: PASSWORD,
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

  it("gives one phone number id to one account only: a taken number answers like an invalid one", async () => {
    const alice = await connectedUser();
    const bob = await newUser();
    const taken = await expectError(
      await call("/api/whatsapp", {
        method: "PUT",
        cookie: bob.cookie,
        body: input({ phoneNumberId: alice.phoneNumberId }),
      }),
      400,
    );
    const number = input().phoneNumberId;
    await ownNumber(number, "EAAG-the-real-owners-token-000000000");
    const invalid = await expectError(
      await call("/api/whatsapp", {
        method: "PUT",
        cookie: bob.cookie,
        body: input({ phoneNumberId: number }),
      }),
      400,
    );
    expect(taken).toEqual(invalid);
    expect(taken.code).toBe("phone_number_not_verified");
    expect(await connectionRow(bob.id)).toBeNull();
    expect(await connectionRow(alice.accountId)).not.toBeNull();
  });

  it("proves control: a token Meta does not confirm for the number connects nothing", async () => {
    const { cookie, id } = await newUser();
    const body = input();
    await ownNumber(body.phoneNumberId, "EAAG-someone-elses-token-00000000000");
    const e = await expectError(await call("/api/whatsapp", { method: "PUT", body, cookie }), 400);
    expect(e.param).toBe("phoneNumberId");
    expect(await connectionRow(id)).toBeNull();
    // The owner's own token connects it.
    const res = await call("/api/whatsapp", {
      method: "PUT",
      cookie,
      body: { ...body, accessToken: "EAAG-someone-elses-token-00000000000" },
    });
    expect(res.status).toBe(200);
  });

  it("needs the password (sudo) to connect, reconnect or disconnect, not to edit settings", async () => {
    const { cookie, id } = await newUser();
    const { password: _password, ...noPassword } = input();
    const e = await expectError(
      await call("/api/whatsapp", { method: "PUT", body: noPassword, cookie }),
      401,
    );
    expect(e.code).toBe("reauth_required");
    await expectError(
      await call("/api/whatsapp", {
        method: "PUT",
        body: { ...noPassword, password: "wrong password!" },
        cookie,
      }),
      401,
    );
    expect(await connectionRow(id)).toBeNull();
    expect((await call("/api/whatsapp", { method: "PUT", body: input(), cookie })).status).toBe(200);
    const row = await connectionRow(id);
    // Settings alone: no password.
    const edit = await call("/api/whatsapp", {
      method: "PUT",
      cookie,
      body: { phoneNumberId: row!.phone_number_id, wabaId: row!.waba_id, model: MODEL, systemPrompt: "Hi" },
    });
    expect(edit.status).toBe(200);
    // Another number, or new secrets: sudo again.
    const { password: _p, ...other } = input();
    expect(
      (await expectError(await call("/api/whatsapp", { method: "PUT", body: other, cookie }), 401)).code,
    ).toBe("reauth_required");
    expect((await expectError(await call("/api/whatsapp", { method: "DELETE", cookie }), 401)).code).toBe(
      "reauth_required",
    );
    // A re-authentication on this session covers the next ten minutes.
    expect((await call("/api/auth/reauth", { body: { password: PASSWORD }, cookie })).status).toBe(204);
    expect((await call("/api/whatsapp", { method: "DELETE", cookie })).status).toBe(204);
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
    const disconnect = () =>
      call("/api/whatsapp", { method: "DELETE", body: { password: PASSWORD }, cookie: user.cookie });
    expect((await disconnect()).status).toBe(204);
    expect(await connectionRow(user.accountId)).toBeNull();
    await expectError(await disconnect(), 404);
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
