import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countRows } from "../support/d1-count";
import { call, expectError } from "../support/helpers";
import {
  connectedUser,
  customerNumber,
  deliver,
  deliverSigned,
  inboundMessage,
  messageRow,
  messageRows,
  notification,
  sentFrom,
  signed,
  statusUpdate,
  wamid,
} from "../support/whatsapp-helpers";

const verify = (params: Record<string, string>) =>
  call(`/webhooks/whatsapp?${new URLSearchParams(params).toString()}`);

describe("GET /webhooks/whatsapp (verify handshake)", () => {
  it("echoes the challenge as plain text when the verify token is a connected account's", async () => {
    const user = await connectedUser();
    const res = await verify({
      "hub.mode": "subscribe",
      "hub.verify_token": user.verifyToken,
      "hub.challenge": "1158201444",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("1158201444");
  });

  it.each([
    [
      "a wrong token",
      { "hub.mode": "subscribe", "hub.verify_token": "not-the-token-at-all", "hub.challenge": "42" },
    ],
    ["no token", { "hub.mode": "subscribe", "hub.challenge": "42" }],
    ["another mode", { "hub.mode": "unsubscribe", "hub.verify_token": "x", "hub.challenge": "42" }],
  ])("refuses %s with 403 and echoes nothing", async (_name, params) => {
    await connectedUser();
    const res = await verify(params);
    const e = await expectError(res, 403);
    expect(e.message).not.toContain("42");
  });
});

describe("POST /webhooks/whatsapp (signature)", () => {
  it("answers a signed text message with the account's model, token and number", async () => {
    const user = await connectedUser();
    const from = customerNumber();
    const message = inboundMessage({ from, body: "Do you have croissants today?" });
    const res = await deliverSigned(
      user.appSecret,
      notification(user.phoneNumberId, { messages: [message] }),
    );
    expect(res.status).toBe(200);
    const sent = await sentFrom(user.phoneNumberId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: from, authorization: `Bearer ${user.accessToken}` });
    expect(sent[0]!.text).toContain("croissants");
    const rows = await messageRows(user.accountId);
    expect(rows.map((r) => [r.direction, r.status])).toEqual([
      ["in", "replied"],
      ["out", "accepted"],
    ]);
    expect(rows[0]!.related_id).toBe(sent[0]!.id);
    expect(rows[1]!.related_id).toBe(message.id);
    const status = (await (await call("/api/whatsapp", { cookie: user.cookie })).json()) as {
      status: { lastMessageAt: string | null; lastReplyAt: string | null };
    };
    expect(status.status.lastMessageAt).not.toBeNull();
    expect(status.status.lastReplyAt).not.toBeNull();
  });

  it.each([
    ["a wrong signature", async (_s: string, raw: string) => signed("0".repeat(32), raw)],
    ["a missing signature", async () => null],
    ["a malformed signature header", async () => "sha1=abc"],
    ["a re-serialised body", async (secret: string, raw: string) => signed(secret, raw)],
  ])("refuses %s with 401: nothing recorded, nothing sent", async (name, sign) => {
    const user = await connectedUser();
    const payload = notification(user.phoneNumberId, {
      messages: [inboundMessage({ from: customerNumber() })],
    });
    const raw = JSON.stringify(payload);
    const signature = await sign(user.appSecret, raw);
    // Same JSON, different bytes: what Meta signed is not what arrives.
    const body = name === "a re-serialised body" ? JSON.stringify(payload, null, 2) : raw;
    await expectError(await deliver(body, signature), 401);
    expect(await messageRows(user.accountId)).toEqual([]);
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
  });

  it("refuses a notification naming two accounts' numbers signed with only one account's secret", async () => {
    const alice = await connectedUser();
    const bob = await connectedUser();
    const payload = notification(alice.phoneNumberId, {
      messages: [inboundMessage({ from: customerNumber() })],
    });
    const other = notification(bob.phoneNumberId, { messages: [inboundMessage({ from: customerNumber() })] });
    payload.entry.push(other.entry[0]!);
    // Signed with each one's secret in turn, so whichever connection is checked first, one of them is not.
    for (const secret of [alice.appSecret, bob.appSecret]) {
      await expectError(await deliverSigned(secret, payload), 401);
    }
    expect(await messageRows(alice.accountId)).toEqual([]);
    expect(await messageRows(bob.accountId)).toEqual([]);
    expect(await sentFrom(alice.phoneNumberId)).toEqual([]);
    expect(await sentFrom(bob.phoneNumberId)).toEqual([]);
  });

  it("answers a number no account owns exactly as a wrong signature for a connected one: which are connected stays unknown", async () => {
    const user = await connectedUser();
    const message = inboundMessage({ from: customerNumber() });
    const payload = notification("999000111222333", { messages: [message] });
    const unknown = await deliverSigned("whatever-secret-0000", payload);
    const connected = await deliverSigned(
      "whatever-secret-0000",
      notification(user.phoneNumberId, { messages: [inboundMessage({ from: customerNumber() })] }),
    );
    expect(unknown.status).toBe(401);
    expect(connected.status).toBe(401);
    expect(await unknown.json()).toEqual(await connected.json());
    expect(await messageRows(user.accountId)).toEqual([]);
    const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM whatsapp_pending WHERE message_id = ?")
      .bind(message.id)
      .first<{ n: number }>())!;
    expect(n).toBe(0);
    expect(await sentFrom("999000111222333")).toEqual([]);
  });

  it("refuses a body over Meta's 3 MB limit with 413", async () => {
    const raw = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [],
      pad: "x".repeat(4 * 1024 * 1024),
    });
    await expectError(await deliver(raw, `sha256=${"a".repeat(64)}`), 413);
  });

  it("answers the valid messages of a notification that also carries an item it cannot read", async () => {
    const user = await connectedUser();
    const good = inboundMessage({ from: customerNumber() });
    const payload = notification(user.phoneNumberId, { messages: [{ id: "wamid.odd", type: "text" }, good] });
    expect((await deliverSigned(user.appSecret, payload)).status).toBe(200);
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
    expect((await messageRow(user.accountId, good.id))!.status).toBe("replied");
  });

  it("refuses malformed JSON and non-notifications with 400", async () => {
    await expectError(await deliver("{not json", `sha256=${"a".repeat(64)}`), 400);
    await expectError(await deliver(JSON.stringify({ entry: "x" }), `sha256=${"a".repeat(64)}`), 400);
  });
});

describe("POST /webhooks/whatsapp (delivery)", () => {
  it("answers the same message delivered twice only once", async () => {
    const user = await connectedUser();
    const payload = notification(user.phoneNumberId, {
      messages: [inboundMessage({ from: customerNumber() })],
    });
    const first = await deliverSigned(user.appSecret, payload);
    expect(await first.json()).toEqual({ received: true, outcome: "applied" });
    const replay = await deliverSigned(user.appSecret, payload);
    expect(await replay.json()).toEqual({ received: true, outcome: "duplicate" });
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
    const rows = await messageRows(user.accountId);
    expect(rows.filter((r) => r.direction === "in")).toHaveLength(1);
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_pending WHERE account_id = ?", user.accountId),
    ).toBe(0);
  });

  it("answers the same message delivered concurrently only once", async () => {
    const user = await connectedUser();
    const payload = notification(user.phoneNumberId, {
      messages: [inboundMessage({ from: customerNumber() })],
    });
    const results = await Promise.all([1, 2, 3].map(() => deliverSigned(user.appSecret, payload)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
  });

  it("answers every contact of a batch once (a contact's messages as one turn), and skips reactions", async () => {
    const user = await connectedUser();
    const [a, b] = [customerNumber(), customerNumber()];
    const messages = [
      inboundMessage({ from: a, body: "first" }),
      inboundMessage({ from: b, body: "second" }),
      inboundMessage({ from: a, body: "third" }),
      inboundMessage({ from: a, type: "reaction" }),
    ];
    expect((await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages }))).status).toBe(
      200,
    );
    const sent = await sentFrom(user.phoneNumberId);
    expect(sent.map((m) => m.to).sort()).toEqual([a, b].sort());
    expect(await messageRow(user.accountId, messages[0]!.id)).toMatchObject({
      status: "merged",
      related_id: messages[2]!.id,
    });
    expect((await messageRow(user.accountId, messages[2]!.id))!.status).toBe("replied");
    const reaction = await messageRow(user.accountId, messages[3]!.id);
    expect(reaction!.status).toBe("skipped");
  });

  it("gives messages with nothing to read the fixed polite reply, or nothing when configured to skip", async () => {
    const user = await connectedUser();
    await deliverSigned(
      user.appSecret,
      notification(user.phoneNumberId, {
        messages: [inboundMessage({ from: customerNumber(), type: "unsupported" })],
      }),
    );
    const sent = await sentFrom(user.phoneNumberId);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(/could not read this kind of message/);

    const quiet = await connectedUser({ nonTextMessages: "skip" });
    const image = inboundMessage({ from: customerNumber(), type: "unsupported" });
    await deliverSigned(quiet.appSecret, notification(quiet.phoneNumberId, { messages: [image] }));
    expect(await sentFrom(quiet.phoneNumberId)).toEqual([]);
    expect((await messageRow(quiet.accountId, image.id))!.status).toBe("skipped");
  });

  it("applies status notifications to our replies, never moving a status backwards", async () => {
    const user = await connectedUser();
    const from = customerNumber();
    await deliverSigned(
      user.appSecret,
      notification(user.phoneNumberId, { messages: [inboundMessage({ from })] }),
    );
    const [reply] = await sentFrom(user.phoneNumberId);
    const deliverStatus = (status: string, extra = {}) =>
      deliverSigned(
        user.appSecret,
        notification(user.phoneNumberId, { statuses: [statusUpdate(reply!.id, status, from, extra)] }),
      );
    await deliverStatus("sent");
    expect((await messageRow(user.accountId, reply!.id))!.status).toBe("sent");
    await deliverStatus("read");
    await deliverStatus("delivered");
    expect((await messageRow(user.accountId, reply!.id))!.status).toBe("read");

    // A failed delivery is recorded with its code only.
    const second = inboundMessage({ from });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [second] }));
    const replyId = (await messageRow(user.accountId, second.id))!.related_id!;
    await deliverSigned(
      user.appSecret,
      notification(user.phoneNumberId, {
        statuses: [
          statusUpdate(replyId, "failed", from, {
            errors: [{ code: 131026, title: "Message undeliverable" }],
          }),
        ],
      }),
    );
    const failed = await messageRow(user.accountId, replyId);
    expect(failed).toMatchObject({ status: "failed", error: "delivery_failed: code 131026" });
  });

  it("ignores status notifications for messages of another account", async () => {
    const alice = await connectedUser();
    const bob = await connectedUser();
    const from = customerNumber();
    await deliverSigned(
      alice.appSecret,
      notification(alice.phoneNumberId, { messages: [inboundMessage({ from })] }),
    );
    const [reply] = await sentFrom(alice.phoneNumberId);
    await deliverSigned(
      bob.appSecret,
      notification(bob.phoneNumberId, { statuses: [statusUpdate(reply!.id, "read", from)] }),
    );
    expect((await messageRow(alice.accountId, reply!.id))!.status).toBe("accepted");
  });

  it("does not reply outside the 24-hour window, and records why", async () => {
    const user = await connectedUser();
    const old = inboundMessage({ from: customerNumber(), timestamp: Date.now() - 25 * 60 * 60 * 1000 });
    expect(
      (await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [old] }))).status,
    ).toBe(200);
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    const row = await messageRow(user.accountId, old.id);
    expect(row!.status).toBe("expired");
    expect(row!.error).toMatch(/^outside_24h_window/);
    const view = (await (await call("/api/whatsapp", { cookie: user.cookie })).json()) as {
      status: { lastError: string };
    };
    expect(view.status.lastError).toMatch(/^outside_24h_window/);
  });

  it("records message ids for a number whose notification also names an unknown number", async () => {
    const user = await connectedUser();
    const payload = notification(user.phoneNumberId, {
      messages: [inboundMessage({ from: customerNumber() })],
    });
    const unknown = notification("888000111222333", {
      messages: [inboundMessage({ from: customerNumber() })],
    });
    payload.entry.push(unknown.entry[0]!);
    expect((await deliverSigned(user.appSecret, payload)).status).toBe(200);
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
    expect(await sentFrom("888000111222333")).toEqual([]);
  });

  it("answers a message from its own wamid even when another account already used that wamid", async () => {
    const alice = await connectedUser();
    const bob = await connectedUser();
    const id = wamid();
    await deliverSigned(
      alice.appSecret,
      notification(alice.phoneNumberId, { messages: [inboundMessage({ from: customerNumber(), id })] }),
    );
    await deliverSigned(
      bob.appSecret,
      notification(bob.phoneNumberId, { messages: [inboundMessage({ from: customerNumber(), id })] }),
    );
    expect(await sentFrom(alice.phoneNumberId)).toHaveLength(1);
    expect(await sentFrom(bob.phoneNumberId)).toHaveLength(1);
  });
});
