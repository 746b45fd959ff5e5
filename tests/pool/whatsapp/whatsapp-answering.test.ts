import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getDb } from "#worker/db";
import { QUIET_MS } from "#worker/whatsapp/burst";
import { acceptNotification } from "#worker/whatsapp/inbox";
import { requestLogRows } from "../support/ai-helpers";
import { countRows } from "../support/d1-count";
import { call, PASSWORD } from "../support/helpers";
import {
  connectedUser,
  customerNumber,
  deliverSigned,
  inboundMessage,
  messageRow,
  notification,
  runCron,
  scriptGraph,
  sentFrom,
  signed,
} from "../support/whatsapp-helpers";

/** The account's usage rows, after asking the usage API (which flushes the account's metering buffer). */
async function usageRows(accountId: string, cookie: string) {
  expect((await call("/api/usage?groupBy=model", { cookie })).status).toBe(200);
  return (await requestLogRows(accountId)).map((r) => ({ source: r.source, key_id: r.key_id }));
}

/** Every text value in every D1 table, for "found nowhere" assertions. */
async function everythingInD1(): Promise<string> {
  const { results: tables } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  const dumps: string[] = [];
  for (const { name } of tables) {
    const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    dumps.push(JSON.stringify(results));
  }
  return dumps.join("\n");
}

async function everythingInR2(prefix: string): Promise<string[]> {
  const listed = await env.CONTENT.list({ prefix });
  return Promise.all(listed.objects.map(async (o) => (await (await env.CONTENT.get(o.key))!.text()) + o.key));
}

const logSpies = () => (["log", "info", "warn", "error", "debug"] as const).map((m) => vi.spyOn(console, m));

afterEach(() => vi.restoreAllMocks());

describe("answering through the AI path", () => {
  it("meters the reply like any request, with source whatsapp and no key", async () => {
    const user = await connectedUser();
    await deliverSigned(
      user.appSecret,
      notification(user.phoneNumberId, { messages: [inboundMessage({ from: customerNumber() })] }),
    );
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
    expect(await usageRows(user.accountId, user.cookie)).toEqual([{ source: "whatsapp", key_id: null }]);
  });

  it("retries a Graph API 500 with backoff and answers once it succeeds, charging the AI once", async () => {
    const user = await connectedUser();
    await scriptGraph(user.phoneNumberId, 500, 1);
    const message = inboundMessage({ from: customerNumber() });
    const start = Date.now();
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [message] }));
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    const waiting = (await messageRow(user.accountId, message.id))!;
    expect(waiting).toMatchObject({ status: "pending", attempts: 1 });
    expect(waiting.error).toMatch(/^graph_error: HTTP 500/);
    expect(waiting.next_attempt_at).toBeGreaterThan(start);

    // Not due yet: a tick now sends nothing.
    await runCron(Date.now());
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    await runCron(waiting.next_attempt_at! + 1);
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
    expect(await messageRow(user.accountId, message.id)).toMatchObject({
      status: "replied",
      attempts: 2,
      error: null,
    });
    expect(await usageRows(user.accountId, user.cookie)).toHaveLength(1);
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_pending WHERE account_id = ?", user.accountId),
    ).toBe(0);
  });

  it("does not retry a Graph error that will not go away, and records it", async () => {
    const user = await connectedUser();
    await scriptGraph(user.phoneNumberId, 400, 1, 100);
    const message = inboundMessage({ from: customerNumber() });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [message] }));
    expect(await messageRow(user.accountId, message.id)).toMatchObject({
      status: "failed",
      error: "graph_error: HTTP 400 (code 100, OAuthException)",
    });
    await runCron(Date.now() + 3_600_000);
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
  });

  it("treats Graph's re-engagement error as the closed 24-hour window", async () => {
    const user = await connectedUser();
    await scriptGraph(user.phoneNumberId, 400, 1, 131047);
    const message = inboundMessage({ from: customerNumber() });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [message] }));
    const row = (await messageRow(user.accountId, message.id))!;
    expect(row.status).toBe("expired");
    expect(row.error).toMatch(/^outside_24h_window/);
  });

  it("gives up after the last attempt", async () => {
    const user = await connectedUser();
    await scriptGraph(user.phoneNumberId, 503, 100);
    const message = inboundMessage({ from: customerNumber() });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [message] }));
    let at = Date.now();
    for (let i = 0; i < 6; i++) {
      at += 3_600_001;
      await runCron(at);
    }
    const row = (await messageRow(user.accountId, message.id))!;
    expect(["failed", "expired"]).toContain(row.status);
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_pending WHERE account_id = ?", user.accountId),
    ).toBe(0);
    await scriptGraph(user.phoneNumberId, 503, 0);
  });

  it("does not answer when the account is out of credit, and records why", async () => {
    const user = await connectedUser();
    // A billing row with no credit at all (no trial grant): reservations are refused with 402.
    await env.DB.prepare("INSERT INTO billing_accounts (account_id, created_at) VALUES (?, ?)")
      .bind(user.accountId, Date.now())
      .run();
    const message = inboundMessage({ from: customerNumber() });
    expect(
      (await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [message] }))).status,
    ).toBe(200);
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    const row = (await messageRow(user.accountId, message.id))!;
    expect(row.status).toBe("no_credit");
    const view = (await (await call("/api/whatsapp", { cookie: user.cookie })).json()) as {
      status: { lastError: string };
    };
    expect(view.status.lastError).toMatch(/^no_credit/);
  });

  it("loses no message when the Worker stops after acknowledging: the cron answers it", async () => {
    const user = await connectedUser();
    const message = inboundMessage({ from: customerNumber() });
    const raw = JSON.stringify(notification(user.phoneNumberId, { messages: [message] }));
    // Record exactly as the webhook does, but never run the background work (as if the isolate died).
    await acceptNotification(
      env,
      getDb(env.DB),
      new TextEncoder().encode(raw),
      await signed(user.appSecret, raw),
    );
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    // The tick hands it to the number's object, which answers once the contact's quiet period has passed.
    await runCron(Date.now() + QUIET_MS);
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
    expect((await messageRow(user.accountId, message.id))!.status).toBe("replied");
  });

  it("takes over a message whose worker died mid-answer once its lease runs out", async () => {
    const user = await connectedUser();
    const message = inboundMessage({ from: customerNumber() });
    const raw = JSON.stringify(notification(user.phoneNumberId, { messages: [message] }));
    await acceptNotification(
      env,
      getDb(env.DB),
      new TextEncoder().encode(raw),
      await signed(user.appSecret, raw),
    );
    const leaseUntil = Date.now() + 60_000;
    await env.DB.prepare("UPDATE whatsapp_messages SET status = 'processing', lease_until = ? WHERE id = ?")
      .bind(leaseUntil, message.id)
      .run();
    await runCron(leaseUntil - 1);
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    await runCron(leaseUntil + 1);
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
  });

  it("disconnecting fails what is still waiting and deletes its pieces", async () => {
    const user = await connectedUser();
    const message = inboundMessage({ from: customerNumber() });
    const raw = JSON.stringify(notification(user.phoneNumberId, { messages: [message] }));
    await acceptNotification(
      env,
      getDb(env.DB),
      new TextEncoder().encode(raw),
      await signed(user.appSecret, raw),
    );
    expect(
      (await call("/api/whatsapp", { method: "DELETE", body: { password: PASSWORD }, cookie: user.cookie }))
        .status,
    ).toBe(204);
    expect(await messageRow(user.accountId, message.id)).toMatchObject({
      status: "failed",
      error: "disconnected",
    });
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_pending WHERE account_id = ?", user.accountId),
    ).toBe(0);
    await runCron();
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
  });
});

describe("minimal storage", () => {
  it("with logging off, keeps no body and no clear number anywhere (D1, R2, logs)", async () => {
    const spies = logSpies();
    const user = await connectedUser();
    const from = customerNumber();
    const marker = `marker-${crypto.randomUUID()}`;
    await deliverSigned(
      user.appSecret,
      notification(user.phoneNumberId, {
        messages: [inboundMessage({ from, body: `Where is my order? ${marker}` })],
        contacts: [{ profile: { name: "Ann" }, wa_id: from }],
      }),
    );
    const [reply] = await sentFrom(user.phoneNumberId);
    expect(reply!.text).toContain(marker); // dev/echo: the answer really carried the text

    const d1 = await everythingInD1();
    expect(d1).not.toContain(marker);
    expect(d1).not.toContain(from);
    const r2 = await everythingInR2("content/");
    expect(r2.join("\n")).not.toContain(marker);
    expect(r2.some((o) => o.includes(user.accountId))).toBe(false);
    const logged = spies.flatMap((s) => s.mock.calls.map((args) => args.map(String).join(" "))).join("\n");
    expect(logged).not.toContain(marker);
    expect(logged).not.toContain(from);
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_context WHERE account_id = ?", user.accountId),
    ).toBe(0);
  });

  it("with logging on, stores the bodies encrypted only, and keeps short context until the window ends", async () => {
    const user = await connectedUser();
    const res = await call("/api/settings/privacy", {
      method: "PUT",
      body: { contentLogging: true, retentionDays: 7 },
      cookie: user.cookie,
    });
    expect(res.status).toBe(200);
    const from = customerNumber();
    const marker = `marker-${crypto.randomUUID()}`;
    const first = inboundMessage({ from, body: `First question ${marker}` });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [first] }));
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);

    // The logged copy exists, in R2 under the account, and is ciphertext.
    const objects = await env.CONTENT.list({ prefix: "content/7d/" });
    const mine = objects.objects.filter((o) => o.key.includes(user.accountId));
    expect(mine.length).toBeGreaterThan(0);
    for (const o of mine) expect(await (await env.CONTENT.get(o.key))!.text()).not.toContain(marker);
    // Context: sealed turns, nothing in clear anywhere in D1.
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_context WHERE account_id = ?", user.accountId),
    ).toBe(2);
    const d1 = await everythingInD1();
    expect(d1).not.toContain(marker);
    expect(d1).not.toContain(from);

    // A follow-up within the window is answered with the context (the request carries earlier turns).
    await deliverSigned(
      user.appSecret,
      notification(user.phoneNumberId, { messages: [inboundMessage({ from, body: "And a second one?" })] }),
    );
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(2);
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_context WHERE account_id = ?", user.accountId),
    ).toBe(4);

    // The cron forgets context once the window has closed.
    await runCron(Date.now() + 24 * 60 * 60 * 1000 + 60_000);
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_context WHERE account_id = ?", user.accountId),
    ).toBe(0);
  });

  it("forgets an account's context as soon as logging is turned off", async () => {
    const user = await connectedUser();
    await call("/api/settings/privacy", {
      method: "PUT",
      body: { contentLogging: true },
      cookie: user.cookie,
    });
    const from = customerNumber();
    await deliverSigned(
      user.appSecret,
      notification(user.phoneNumberId, { messages: [inboundMessage({ from })] }),
    );
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_context WHERE account_id = ?", user.accountId),
    ).toBe(2);
    await call("/api/settings/privacy", {
      method: "PUT",
      body: { contentLogging: false },
      cookie: user.cookie,
    });
    await deliverSigned(
      user.appSecret,
      notification(user.phoneNumberId, { messages: [inboundMessage({ from })] }),
    );
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(2);
    expect(
      await countRows("SELECT count(*) AS n FROM whatsapp_context WHERE account_id = ?", user.accountId),
    ).toBe(0);
  });
});
