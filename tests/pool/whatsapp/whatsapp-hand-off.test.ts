// Hand-off: a keyword or the model's `hand_off_to_human` tool call pauses the AI for that contact and tells
// the business (a mailed notice, and a signed webhook when the number has one); a person reads the exchange
// (only with content logging on), replies within the 24-hour window and resumes the bot.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "#worker/db";
import { inboxEntries, replyAsPerson, resumeBot } from "#worker/whatsapp/human-inbox";
import { contactHash } from "#worker/whatsapp/sealing";
import * as inbox from "../../../app/routes/dashboard/whatsapp-inbox";
import { marker, openaiFake, received, script } from "../support/ai-helpers";
import { call } from "../support/helpers";
import { args, page, post, unwrap } from "../support/route-calls";
import {
  connectedUser,
  customerNumber,
  messageRow,
  say,
  scriptGraph,
  sentFrom,
} from "../support/whatsapp-helpers";

const MODEL = "openai/gpt-4o-mini";
const INBOX = "/dashboard/whatsapp/inbox";

async function mailbox(to: string) {
  const res = await call(`/dev/mailbox?format=json&to=${encodeURIComponent(to)}`);
  return ((await res.json()) as { data: { kind: string; subject: string; text: string }[] }).data;
}

const db = () => getDb(env.DB);

describe("hand-off", () => {
  it("a keyword pauses the bot for that contact, mails the business once, and a person replies and resumes", async () => {
    const user = await connectedUser({ model: MODEL });
    const from = customerNumber();
    const asked = await say(user, from, "Human, please");
    // "Human, please" is not the whole keyword: the model answers.
    expect(await messageRow(user.accountId, asked.id)).toMatchObject({ status: "replied" });
    await say(user, from, "human");
    expect((await sentFrom(user.phoneNumberId)).at(-1)!.text).toMatch(/a person from our team/);

    const tag = marker("paused");
    const waiting = await say(user, from, `Where is my parcel? ${tag}`);
    expect(await received(openaiFake(), tag)).toEqual([]);
    expect(await messageRow(user.accountId, waiting.id)).toMatchObject({ status: "handed_off" });
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(2);

    const notices = (await mailbox(user.email)).filter((m) => m.kind === "whatsapp_hand_off");
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain(user.phoneNumberId);
    expect(notices[0]!.text).not.toContain(from);
    expect(notices[0]!.text).not.toContain("parcel");

    const hash = await contactHash(env, user.accountId, from);
    const [entry] = await inboxEntries(env, db(), user.accountId);
    expect(entry).toMatchObject({
      phoneNumberId: user.phoneNumberId,
      contactHash: hash,
      pausedBy: "keyword",
    });
    // Content logging is off: nothing of the exchange was kept, so nothing can be shown.
    expect(entry!.exchange).toBeNull();

    const key = { accountId: user.accountId, phoneNumberId: user.phoneNumberId, contactHash: hash };
    await replyAsPerson(env, db(), key, "It left our shop this morning.");
    expect((await sentFrom(user.phoneNumberId)).at(-1)).toMatchObject({
      to: from,
      text: "It left our shop this morning.",
    });
    await resumeBot(db(), key);
    expect(await inboxEntries(env, db(), user.accountId)).toEqual([]);
    const back = marker("resumed");
    await say(user, from, `Thanks! ${back}`);
    expect(await received(openaiFake(), back)).toHaveLength(1);
  });

  it("the model's hand_off_to_human tool call pauses the bot; the inbox shows the exchange when logging is on", async () => {
    const user = await connectedUser({ model: MODEL });
    await call("/api/settings/privacy", {
      method: "PUT",
      body: { contentLogging: true, retentionDays: 7 },
      cookie: user.cookie,
    });
    const from = customerNumber();
    const tag = marker("angry");
    await script(openaiFake(), {
      match: tag,
      toolCall: { id: "call_1", name: "hand_off_to_human", arguments: "{}" },
    });
    await say(user, from, `This is the third broken cake! ${tag}`);
    const [asked] = await received(openaiFake(), tag);
    expect(JSON.parse(asked!.body).tools[0].function.name).toBe("hand_off_to_human");
    expect((await sentFrom(user.phoneNumberId)).at(-1)!.text).toMatch(/a person from our team/);

    const later = marker("later");
    await say(user, from, `Hello? ${later}`);
    expect(await received(openaiFake(), later)).toEqual([]);
    const [entry] = await inboxEntries(env, db(), user.accountId);
    expect(entry).toMatchObject({ pausedBy: "model" });
    expect(entry!.exchange!.map((t) => t.role)).toEqual(["user", "assistant", "user"]);
    expect(entry!.exchange![2]!.content).toContain(later);
    expect((await mailbox(user.email)).filter((m) => m.kind === "whatsapp_hand_off")).toHaveLength(1);
  });

  it("posts the hand-off to the number's webhook, signed with the secret shown once", async () => {
    const hook = `${openaiFake()}/hooks/hand-off`;
    const user = await connectedUser({ handOffWebhookUrl: hook });
    const saved = await call("/api/whatsapp", {
      method: "PUT",
      cookie: user.cookie,
      body: {
        phoneNumberId: user.phoneNumberId,
        wabaId: "123456",
        model: "dev/echo",
        handOffWebhookUrl: `${hook}?v=2`,
      },
    });
    const { handOff } = (await saved.json()) as { handOff: { webhookSecret?: string; webhookUrl: string } };
    const secret = handOff.webhookSecret!;
    expect(secret).toMatch(/^whsec_/);
    const view = await (await call("/api/whatsapp", { cookie: user.cookie })).json();
    expect(JSON.stringify(view)).not.toContain(secret);

    await say(user, customerNumber(), "AGENT");
    const [posted] = await received(openaiFake(), user.phoneNumberId);
    expect(posted!.path).toBe("/hooks/hand-off");
    expect(JSON.parse(posted!.body)).toMatchObject({ type: "whatsapp.hand_off", reason: "keyword" });
    const timestamp = Number(posted!.headers["x-webhook-timestamp"]);
    // Verified as a receiver would, from the documented recipe (not with our own signing code).
    const hmacKey = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const mac = await crypto.subtle.sign(
      "HMAC",
      hmacKey,
      new TextEncoder().encode(`${timestamp}.${posted!.body}`),
    );
    const hex = [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(posted!.headers["x-webhook-signature"]).toBe(`sha256=${hex}`);
    // The fake answers 401 (it is no real receiver): the failure shows on the number's status line.
    const after = (await (await call("/api/whatsapp", { cookie: user.cookie })).json()) as {
      status: { lastError: string };
    };
    expect(after.status.lastError).toBe("hand_off_webhook_failed: HTTP 401");
  });

  it("refuses a webhook URL that is not https", async () => {
    const user = await connectedUser();
    const res = await call("/api/whatsapp", {
      method: "PUT",
      cookie: user.cookie,
      body: {
        phoneNumberId: user.phoneNumberId,
        wabaId: "123456",
        model: "dev/echo",
        handOffWebhookUrl: "http://example.com/hook",
      },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { param: "handOffWebhookUrl" } });
  });

  it("a person cannot reply once the window closed, nor to a contact that is not waiting", async () => {
    const user = await connectedUser();
    const from = customerNumber();
    await say(user, from, "HUMAN");
    const key = {
      accountId: user.accountId,
      phoneNumberId: user.phoneNumberId,
      contactHash: await contactHash(env, user.accountId, from),
    };
    await expect(replyAsPerson(env, db(), key, "late", Date.now() + 25 * 3_600_000)).rejects.toMatchObject({
      status: 409,
    });
    const stranger = { ...key, contactHash: await contactHash(env, user.accountId, customerNumber()) };
    await expect(replyAsPerson(env, db(), stranger, "hi")).rejects.toMatchObject({ status: 404 });
    const otherAccount = await connectedUser();
    await expect(
      replyAsPerson(env, db(), { ...key, accountId: otherAccount.accountId }, "hi"),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe("the inbox page (/dashboard/whatsapp/inbox), as plain forms", () => {
  it("lists a waiting customer, sends a person's reply, resumes the bot, and refuses another account's conversation", async () => {
    const user = await connectedUser();
    const from = customerNumber();
    await say(user, from, "AGENT");
    const hash = await contactHash(env, user.accountId, from);
    const loaded = await inbox.loader(args(page("/dashboard/whatsapp/inbox", user.cookie)));
    expect(loaded.entries).toHaveLength(1);
    expect(loaded.entries[0]).toMatchObject({ contactHash: hash, exchange: null });
    const fields = { phoneNumberId: user.phoneNumberId, contactHash: hash };

    const empty = unwrap(
      await inbox.action(args(post(INBOX, { intent: "reply", ...fields, text: " " }, user.cookie))),
    );
    expect(empty.error!.fields).toEqual({ text: "Type a reply." });

    const stranger = await connectedUser();
    const foreign = unwrap(
      await inbox.action(args(post(INBOX, { intent: "resume", ...fields }, stranger.cookie))),
    );
    expect(foreign.status).toBe(404);

    const replied = unwrap(
      await inbox.action(args(post(INBOX, { intent: "reply", ...fields, text: "On its way!" }, user.cookie))),
    );
    expect(replied).toEqual({ replied: hash.slice(0, 8) });
    expect((await sentFrom(user.phoneNumberId)).at(-1)).toMatchObject({ to: from, text: "On its way!" });

    await scriptGraph(user.phoneNumberId, 503, 1);
    const refused = unwrap(
      await inbox.action(args(post(INBOX, { intent: "reply", ...fields, text: "Again" }, user.cookie))),
    );
    expect(refused.status).toBe(502);
    expect(refused.values).toEqual({ text: "Again" });

    const resumed = unwrap(
      await inbox.action(args(post(INBOX, { intent: "resume", ...fields }, user.cookie))),
    );
    expect(resumed).toEqual({ resumed: hash.slice(0, 8) });
    expect((await inbox.loader(args(page(INBOX, user.cookie)))).entries).toEqual([]);
  });
});
