// Restriction of processing (Art. 18) and objection (Art. 21) as request types: a restriction refuses the
// account's API keys in each dialect's shape (nothing upstream), pauses WhatsApp replies, leaves the account
// out of the training export, and is lifted on request; an objection waits in the operators' queue until
// answered. Each with success, refusal and audit.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { captureExchange } from "#worker/content/capture";
import * as playground from "../../../app/routes/dashboard/playground";
import * as playgroundStream from "../../../app/routes/dashboard/playground-stream";
import { expectAnthropicError, marker, openaiFake, received } from "../support/ai-helpers";
import { setBalance } from "../support/billing-helpers";
import {
  call,
  expectError,
  mailboxLink,
  newKeyUser,
  newVerifiedUser,
  operatorSession,
} from "../support/helpers";
import { args, post, unwrap } from "../support/route-calls";
import {
  connectedUser,
  customerNumber,
  deliverSigned,
  inboundMessage,
  messageRow,
  notification,
  sentFrom,
} from "../support/whatsapp-helpers";

const MODEL = "openai/gpt-4o-mini";
const openai = (key: string, m: string) =>
  call("/v1/chat/completions", {
    key,
    body: { model: MODEL, max_tokens: 16, messages: [{ role: "user", content: m }] },
  });
const anthropic = (key: string, m: string) =>
  call("/v1/messages", {
    key,
    body: { model: MODEL, max_tokens: 16, messages: [{ role: "user", content: m }] },
  });

const ask = (cookie: string, body: Record<string, unknown>) =>
  call("/api/privacy/requests", { body, cookie });
const lift = (cookie: string) => call("/api/privacy/restriction", { method: "DELETE", cookie });

async function trail(accountId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    `SELECT a.action FROM privacy_audit a JOIN privacy_requests r ON r.subject = a.subject
     WHERE r.account_id = ? GROUP BY a.id ORDER BY a.at, a.rowid`,
  )
    .bind(accountId)
    .all<{ action: string }>();
  return results.map((r) => r.action);
}

describe("restriction of processing (Art. 18)", () => {
  it("refuses the account's keys with 403 processing_restricted in each dialect until lifted", async () => {
    const user = await newKeyUser();
    await setBalance(user.id, 1_000_000);
    // The key is cached in this isolate before the restriction: the restriction still applies at once.
    expect((await openai(user.key, marker())).status).toBe(200);

    const res = await ask(user.cookie, { type: "restriction" });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ type: "restriction", status: "completed" });
    expect(await (await call("/api/privacy/restriction", { cookie: user.cookie })).json()).toMatchObject({
      restricted: true,
    });

    const m1 = marker();
    const e1 = await expectError(await openai(user.key, m1), 403);
    expect(e1).toMatchObject({ code: "processing_restricted", type: "permission_error" });
    const m2 = marker();
    const e2 = await expectAnthropicError(await anthropic(user.key, m2), 403);
    expect(e2).toMatchObject({ type: "permission_error", code: "processing_restricted" });
    for (const m of [m1, m2]) expect(await received(openaiFake(), m)).toHaveLength(0);

    const lifted = await lift(user.cookie);
    expect(lifted.status).toBe(200);
    expect(await lifted.json()).toEqual({ restricted: false, since: null });
    expect((await openai(user.key, marker())).status).toBe(200);
  });

  it("refuses the dashboard's playground too (form and stream), nothing sent; lifted, it answers again", async () => {
    const user = await newKeyUser();
    await setBalance(user.id, 1_000_000);
    expect((await ask(user.cookie, { type: "restriction" })).status).toBe(202);
    const form = (m: string) => ({ model: MODEL, prompt: m });
    const m1 = marker();
    const refused = unwrap(
      await playground.action(args(post("/dashboard/playground", form(m1), user.cookie))),
    );
    expect(refused.status).toBe(403);
    expect(refused.error!.message).toMatch(/restricted/);
    const m2 = marker();
    const streamed = (await playgroundStream.action(
      args(post("/dashboard/playground/stream", form(m2), user.cookie)),
    )) as Response;
    expect((await expectError(streamed, 403)).code).toBe("processing_restricted");
    for (const m of [m1, m2]) expect(await received(openaiFake(), m)).toHaveLength(0);

    expect((await lift(user.cookie)).status).toBe(200);
    const m3 = marker();
    const served = unwrap(
      await playground.action(args(post("/dashboard/playground", form(m3), user.cookie))),
    );
    expect(served.status).toBeUndefined();
    expect(await received(openaiFake(), m3)).toHaveLength(1);
  });

  it("refuses a second restriction, lifting none, and bad bodies; nothing changes", async () => {
    const user = await newKeyUser();
    expect((await call("/api/privacy/requests", { body: { type: "restriction" } })).status).toBe(401);
    expect((await expectError(await lift(user.cookie), 409)).code).toBe("not_restricted");
    expect(
      (await expectError(await ask(user.cookie, { type: "restriction", note: "x".repeat(20) }), 400)).param,
    ).toBe("note");
    expect((await ask(user.cookie, { type: "restriction" })).status).toBe(202);
    expect((await expectError(await ask(user.cookie, { type: "restriction" }), 409)).code).toBe(
      "already_restricted",
    );
    const { results } = await env.DB.prepare(
      "SELECT status FROM privacy_requests WHERE account_id = ? AND type = 'restriction'",
    )
      .bind(user.id)
      .all();
    expect(results).toHaveLength(1);
  });

  it("is in the privacy trail: applied, lifted; the request records when it was lifted", async () => {
    const user = await newKeyUser();
    expect((await ask(user.cookie, { type: "restriction" })).status).toBe(202);
    expect((await lift(user.cookie)).status).toBe(200);
    expect(await trail(user.id)).toEqual(["restriction.applied", "restriction.lifted"]);
    const row = await env.DB.prepare(
      "SELECT status, progress FROM privacy_requests WHERE account_id = ? AND type = 'restriction'",
    )
      .bind(user.id)
      .first<{ status: string; progress: string }>();
    expect(row!.status).toBe("completed");
    expect(row!.progress).toMatch(/^lifted at your request/);
  });

  it("pauses WhatsApp replies: the message is stored, not answered; after lifting, replies resume", async () => {
    const user = await connectedUser();
    expect((await ask(user.cookie, { type: "restriction" })).status).toBe(202);
    const paused = inboundMessage({ from: customerNumber() });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [paused] }));
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    expect(await messageRow(user.accountId, paused.id)).toMatchObject({
      status: "skipped",
      error: "processing_restricted",
    });

    expect((await lift(user.cookie)).status).toBe(200);
    await deliverSigned(
      user.appSecret,
      notification(user.phoneNumberId, { messages: [inboundMessage({ from: customerNumber() })] }),
    );
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
  });

  it("leaves a consenting account's content out of the training export while restricted", async () => {
    const operator = await operatorSession();
    const user = await newVerifiedUser();
    const put = (body: unknown) =>
      call("/api/settings/privacy", { method: "PUT", body, cookie: user.cookie });
    expect((await put({ contentLogging: true, trainingConsent: true })).status).toBe(200);
    const text = `RESTRICTED-${crypto.randomUUID()}`;
    await captureExchange(env, {
      accountId: user.id,
      requestId: `req_${crypto.randomUUID().replaceAll("-", "")}`,
      source: "chat.completions",
      model: "dev/echo",
      request: JSON.stringify({ messages: [{ role: "user", content: text }] }),
      response: JSON.stringify({ choices: [{ message: { content: text } }] }),
      createdAt: new Date(),
    });
    const exported = async () =>
      (await call("/api/admin/training-export", { cookie: operator.cookie })).text();
    expect(await exported()).toContain(text);
    expect((await ask(user.cookie, { type: "restriction" })).status).toBe(202);
    expect(await exported()).not.toContain(text);
  });

  it("an emailed restriction runs once the account's own address confirms it", async () => {
    const operator = await operatorSession();
    const user = await newVerifiedUser();
    const recorded = await call("/api/admin/privacy/requests", {
      body: { email: user.email, type: "restriction", channel: "email", note: "letter of 2 Dec" },
      cookie: operator.cookie,
    });
    expect(await recorded.json()).toMatchObject({ status: "verifying" });
    const token = await mailboxLink(user.email, "request_confirmation");
    const confirmed = await call("/api/privacy/links", { body: { token } });
    expect(await confirmed.json()).toMatchObject({
      request: { type: "restriction", status: "completed" },
    });
    expect(await (await call("/api/privacy/restriction", { cookie: user.cookie })).json()).toMatchObject({
      restricted: true,
    });
  });
});

describe("objection (Art. 21)", () => {
  it("lands in the operators' queue, is answered once, mailed, and recorded in both audits", async () => {
    const operator = await operatorSession();
    const user = await newVerifiedUser();
    const text = `I object to the fraud screening of my sign-ins ${crypto.randomUUID()}`;
    const res = await ask(user.cookie, { type: "objection", note: text });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    const queue = (await (await call("/api/admin/privacy/requests", { cookie: operator.cookie })).json()) as {
      data: { id: string; status: string; note: string; overdue: boolean }[];
    };
    expect(queue.data.find((r) => r.id === id)).toMatchObject({
      status: "received",
      note: text,
      overdue: false,
    });
    const detail = (await (
      await call(`/api/admin/privacy/requests/${id}`, { cookie: operator.cookie })
    ).json()) as { canAnswer: boolean; canDeny: boolean };
    expect(detail).toMatchObject({ canAnswer: true, canDeny: false });

    const answer = "Upheld: we switched the screening off for your account.";
    const answered = await call(`/api/admin/privacy/requests/${id}/answer`, {
      body: { upheld: true, answer },
      cookie: operator.cookie,
    });
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ status: "completed", answer });

    const mail = await env.DB.prepare(
      "SELECT text FROM notices WHERE \"to\" = ? AND kind = 'objection_answered'",
    )
      .bind(user.email)
      .all<{ text: string }>();
    expect(mail.results).toHaveLength(1);
    expect(mail.results[0]!.text).toContain(answer);
    expect(await trail(user.id)).toEqual(["objection.received", "objection.answered"]);
    const audit = await env.DB.prepare("SELECT action FROM operator_audit WHERE target = ?")
      .bind(id)
      .all<{ action: string }>();
    expect(audit.results.map((a) => a.action)).toEqual(["privacy.objection.answered"]);
    // The objection's text is kept with the request, never in the trail.
    const { results } = await env.DB.prepare("SELECT detail FROM privacy_audit WHERE request_id = ?")
      .bind(id)
      .all<{ detail: string | null }>();
    expect(JSON.stringify(results)).not.toContain(text.slice(-36));
  });

  it("refuses an objection without text, a second answer, an answer to another type, and visitors", async () => {
    const operator = await operatorSession();
    const user = await newVerifiedUser();
    expect((await expectError(await ask(user.cookie, { type: "objection" }), 400)).param).toBe("note");
    expect((await expectError(await ask(user.cookie, { type: "objection", note: "short" }), 400)).param).toBe(
      "note",
    );
    const { id } = (await (
      await ask(user.cookie, { type: "objection", note: "I object to being sent product notices." })
    ).json()) as { id: string };
    const answer = (body: unknown, cookie = operator.cookie, target = id) =>
      call(`/api/admin/privacy/requests/${target}/answer`, { body, cookie });
    expect((await answer({ upheld: false, answer: "no" }, user.cookie)).status).toBe(403);
    expect((await answer({ upheld: false, answer: "Our grounds override: fraud." })).status).toBe(200);
    expect((await expectError(await answer({ upheld: true, answer: "Changed our mind." }), 409)).code).toBe(
      "not_answerable",
    );
    const access = (await (await ask(user.cookie, { type: "access" })).json()) as { id: string };
    expect(
      (await expectError(await answer({ upheld: true, answer: "Not one." }, operator.cookie, access.id), 409))
        .code,
    ).toBe("not_an_objection");
    const row = await env.DB.prepare(
      "SELECT status, denial_reason, answer FROM privacy_requests WHERE id = ?",
    )
      .bind(id)
      .first();
    expect(row).toEqual({
      status: "denied",
      denial_reason: "Our grounds override: fraud.",
      answer: "Our grounds override: fraud.",
    });
  });
});
