// Several numbers per account: each keyed by its phone number id, with its own model, prompt and status line;
// the single-number routes mean the first one; disconnecting one leaves the others answering.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { marker, openaiFake, received } from "../support/ai-helpers";
import { countRows } from "../support/d1-count";
import { call, expectError, PASSWORD } from "../support/helpers";
import {
  connectedUser,
  customerNumber,
  deliverSigned,
  inboundMessage,
  MODEL,
  messageRow,
  notification,
  sentFrom,
} from "../support/whatsapp-helpers";

const digits = (n: number) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, "1");

/** A second number's settings, as PUT /api/whatsapp/numbers/{id} takes them. */
const secondNumber = (overrides: Record<string, unknown> = {}) => ({
  wabaId: "102290129340398",
  accessToken: `EAAG${digits(30)}`,
  appSecret: `s${digits(31)}`,
  verifyToken: `verify-${digits(16)}`,
  model: "openai/gpt-4o-mini",
  systemPrompt: "You are the assistant of a florist.",
  password: PASSWORD,
  ...overrides,
});

async function addNumber(cookie: string, overrides: Record<string, unknown> = {}) {
  const id = `20${digits(13)}`;
  const body = secondNumber(overrides);
  const res = await call(`/api/whatsapp/numbers/${id}`, { method: "PUT", body, cookie });
  expect(res.status).toBe(200);
  return { id, appSecret: body.appSecret, view: await res.json() };
}

describe("several numbers on one account", () => {
  it("connects a second number with its own model and prompt, and lists both, the first first", async () => {
    const user = await connectedUser();
    const second = await addNumber(user.cookie);
    expect(second.view).toMatchObject({
      connected: true,
      phoneNumberId: second.id,
      model: "openai/gpt-4o-mini",
    });
    const list = (await (await call("/api/whatsapp/numbers", { cookie: user.cookie })).json()) as {
      numbers: { phoneNumberId: string; model: string; systemPrompt: string }[];
    };
    expect(list.numbers.map((n) => [n.phoneNumberId, n.model, n.systemPrompt])).toEqual([
      [user.phoneNumberId, MODEL, "You are the helpful assistant of a bakery."],
      [second.id, "openai/gpt-4o-mini", "You are the assistant of a florist."],
    ]);
    // The single-number view is the first number's.
    const first = await (await call("/api/whatsapp", { cookie: user.cookie })).json();
    expect(first).toMatchObject({ phoneNumberId: user.phoneNumberId, model: MODEL });
    const one = await (await call(`/api/whatsapp/numbers/${second.id}`, { cookie: user.cookie })).json();
    expect(one).toMatchObject({
      phoneNumberId: second.id,
      systemPrompt: "You are the assistant of a florist.",
    });
    // The secrets of neither number come back.
    expect(JSON.stringify(list)).not.toContain(second.appSecret);
  });

  it("answers each number with its own model and prompt, and records which number a message came to", async () => {
    const user = await connectedUser();
    const second = await addNumber(user.cookie);
    const tag = marker("florist");
    const toSecond = inboundMessage({ from: customerNumber(), body: `Roses today? ${tag}` });
    await deliverSigned(second.appSecret, notification(second.id, { messages: [toSecond] }));
    const [asked] = await received(openaiFake(), tag);
    const body = JSON.parse(asked!.body) as { model: string; messages: { role: string; content: string }[] };
    expect(body.messages[0]).toEqual({ role: "system", content: "You are the assistant of a florist." });
    expect(await sentFrom(second.id)).toHaveLength(1);
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    const toFirst = inboundMessage({ from: customerNumber(), body: "Croissants?" });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [toFirst] }));
    const [fromFirst] = await sentFrom(user.phoneNumberId);
    expect(fromFirst!.text).toContain("You said: Croissants?"); // dev/echo: the first number's model
    expect(await sentFrom(second.id)).toHaveLength(1);
    const row = await env.DB.prepare(
      "SELECT phone_number_id FROM whatsapp_messages WHERE account_id = ? AND id = ?",
    )
      .bind(user.accountId, toSecond.id)
      .first<{ phone_number_id: string }>();
    expect(row?.phone_number_id).toBe(second.id);
    const status = (await (
      await call(`/api/whatsapp/numbers/${second.id}`, { cookie: user.cookie })
    ).json()) as {
      status: { lastReplyAt: string | null };
    };
    expect(status.status.lastReplyAt).not.toBeNull();
    const firstStatus = (await (await call("/api/whatsapp", { cookie: user.cookie })).json()) as {
      status: { lastReplyAt: string | null };
    };
    expect(firstStatus.status.lastReplyAt).not.toBeNull();
  });

  it("edits one number through its route without touching the other", async () => {
    const user = await connectedUser();
    const second = await addNumber(user.cookie);
    const res = await call(`/api/whatsapp/numbers/${second.id}`, {
      method: "PUT",
      cookie: user.cookie,
      body: { wabaId: "123456", model: MODEL, systemPrompt: "Changed" },
    });
    expect(res.status).toBe(200);
    const list = (await (await call("/api/whatsapp/numbers", { cookie: user.cookie })).json()) as {
      numbers: { phoneNumberId: string; systemPrompt: string }[];
    };
    expect(list.numbers.map((n) => n.systemPrompt)).toEqual([
      "You are the helpful assistant of a bakery.",
      "Changed",
    ]);
  });

  it("disconnects one number: its unanswered messages go, the other number keeps answering", async () => {
    const user = await connectedUser();
    const second = await addNumber(user.cookie, { model: MODEL });
    // A message to the second number that cannot be answered yet (Graph unavailable) stays pending.
    await fetch(`${new URL(env.WHATSAPP_GRAPH_BASE_URL).origin}/__script`, {
      method: "POST",
      body: JSON.stringify({ phoneNumberId: second.id, status: 503, times: 1 }),
    });
    const waiting = inboundMessage({ from: customerNumber() });
    await deliverSigned(second.appSecret, notification(second.id, { messages: [waiting] }));
    expect(await messageRow(user.accountId, waiting.id)).toMatchObject({ status: "pending" });

    const res = await call(`/api/whatsapp/numbers/${second.id}`, {
      method: "DELETE",
      cookie: user.cookie,
      body: { password: PASSWORD },
    });
    expect(res.status).toBe(204);
    expect(await messageRow(user.accountId, waiting.id)).toMatchObject({
      status: "failed",
      error: "disconnected",
    });
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_pending WHERE account_id = ?", user.accountId),
    ).toBe(0);
    expect(
      (await expectError(await call(`/api/whatsapp/numbers/${second.id}`, { cookie: user.cookie }), 404))
        .code,
    ).toBe("not_found");
    const toFirst = inboundMessage({ from: customerNumber() });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [toFirst] }));
    expect(await messageRow(user.accountId, toFirst.id)).toMatchObject({ status: "replied" });
  });

  it("never shows or changes another account's number through the per-number routes", async () => {
    const owner = await connectedUser();
    const other = await connectedUser();
    expect(
      (
        await expectError(
          await call(`/api/whatsapp/numbers/${owner.phoneNumberId}`, { cookie: other.cookie }),
          404,
        )
      ).code,
    ).toBe("not_found");
    expect(
      (
        await expectError(
          await call(`/api/whatsapp/numbers/${owner.phoneNumberId}`, {
            method: "DELETE",
            cookie: other.cookie,
            body: { password: PASSWORD },
          }),
          404,
        )
      ).code,
    ).toBe("not_found");
    // Taking it answers like an unproven number, as on the single-number route.
    expect(
      (
        await expectError(
          await call(`/api/whatsapp/numbers/${owner.phoneNumberId}`, {
            method: "PUT",
            cookie: other.cookie,
            body: secondNumber({ model: MODEL }),
          }),
          400,
        )
      ).code,
    ).toBe("phone_number_not_verified");
    expect(
      await countRows(
        "SELECT count(*) AS n FROM whatsapp_connections WHERE phone_number_id = ? AND account_id = ?",
        owner.phoneNumberId,
        owner.accountId,
      ),
    ).toBe(1);
  });
});
