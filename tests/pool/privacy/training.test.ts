// The training export: only content logged while its account consented, never WhatsApp, operators only.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { captureExchange, type Exchange } from "#worker/content/capture";
import { forgetDataKey } from "#worker/content/data-keys";
import { storeExchange } from "#worker/content/store";
import { call, expectError, newVerifiedUser, operatorSession } from "../support/helpers";

async function operatorCookie(): Promise<string> {
  return (await operatorSession()).cookie;
}

function exchange(accountId: string, text: string, source = "chat.completions"): Exchange {
  return {
    accountId,
    requestId: `req_${crypto.randomUUID().replaceAll("-", "")}`,
    source,
    model: "dev/echo",
    request: JSON.stringify({ messages: [{ role: "user", content: text }] }),
    response: JSON.stringify({ choices: [{ message: { content: text } }] }),
    createdAt: new Date(),
  };
}

const put = (cookie: string, body: unknown) => call("/api/settings/privacy", { method: "PUT", body, cookie });

async function exportText(cookie: string): Promise<string> {
  const res = await call("/api/admin/training-export", { cookie });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("application/x-ndjson");
  return res.text();
}

describe("training export", () => {
  let operator: string;
  const marks = {
    never: `NEVER-${crypto.randomUUID()}`,
    consented: `CONSENTED-${crypto.randomUUID()}`,
    withdrewBefore: `WITHDREW-BEFORE-${crypto.randomUUID()}`,
    withdrewAfter: `WITHDREW-AFTER-${crypto.randomUUID()}`,
    whatsapp: `WHATSAPP-${crypto.randomUUID()}`,
    staleFlag: `STALE-${crypto.randomUUID()}`,
    loggedBeforeConsent: `BEFORE-CONSENT-${crypto.randomUUID()}`,
  };
  let consentedUser: { id: string; email: string };

  beforeAll(async () => {
    operator = await operatorCookie();

    const never = await newVerifiedUser();
    await put(never.cookie, { contentLogging: true });
    await captureExchange(env, exchange(never.id, marks.never));

    const consented = await newVerifiedUser();
    consentedUser = consented;
    await put(consented.cookie, { contentLogging: true });
    await captureExchange(env, exchange(consented.id, marks.loggedBeforeConsent));
    await put(consented.cookie, { trainingConsent: true });
    await captureExchange(env, exchange(consented.id, marks.consented));
    // WhatsApp conversations are never exported, whatever the consent.
    await captureExchange(env, exchange(consented.id, marks.whatsapp, "whatsapp"));

    const withdrewBefore = await newVerifiedUser();
    await put(withdrewBefore.cookie, { contentLogging: true, trainingConsent: true });
    await put(withdrewBefore.cookie, { trainingConsent: false });
    await captureExchange(env, exchange(withdrewBefore.id, marks.withdrewBefore));

    const withdrewAfter = await newVerifiedUser();
    await put(withdrewAfter.cookie, { contentLogging: true, trainingConsent: true });
    await captureExchange(env, exchange(withdrewAfter.id, marks.withdrewAfter));
    await put(withdrewAfter.cookie, { trainingConsent: false });

    // Another isolate's stale cache logs with consent "1" while the account never consented at that time;
    // the account consents only later. The history decides: excluded.
    const stale = await newVerifiedUser();
    await put(stale.cookie, { contentLogging: true });
    await storeExchange(env, exchange(stale.id, marks.staleFlag), {
      enabled: true,
      retentionDays: 30,
      trainingConsent: true,
      dataPolicy: "any",
    });
    await new Promise((r) => setTimeout(r, 5));
    await put(stale.cookie, { trainingConsent: true });
  });

  it("includes content logged while the account consented", async () => {
    const text = await exportText(operator);
    expect(text).toContain(marks.consented);
    const lines = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = lines.find((l) => String(l.request).includes(marks.consented))!;
    expect(Object.keys(line).sort()).toEqual([
      "createdAt",
      "model",
      "request",
      "requestId",
      "response",
      "source",
    ]);
    // No account identity travels with the content.
    expect(text).not.toContain(consentedUser.id);
    expect(text).not.toContain(consentedUser.email);
  });

  it("never includes accounts that never consented", async () => {
    expect(await exportText(operator)).not.toContain(marks.never);
  });

  it("never includes content logged after consent was withdrawn, or before it was given", async () => {
    const text = await exportText(operator);
    expect(text).not.toContain(marks.withdrewBefore);
    expect(text).not.toContain(marks.loggedBeforeConsent);
    expect(text).not.toContain(marks.staleFlag);
  });

  it("stops including an account's content once it withdraws", async () => {
    expect(await exportText(operator)).not.toContain(marks.withdrewAfter);
  });

  it("never includes WhatsApp conversations", async () => {
    expect(await exportText(operator)).not.toContain(marks.whatsapp);
  });

  it("is for operators only", async () => {
    await expectError(await call("/api/admin/training-export"), 401);
    const user = await newVerifiedUser();
    await expectError(await call("/api/admin/training-export", { cookie: user.cookie }), 403);
  });

  it("includes nothing of an account whose key was destroyed", async () => {
    const user = await newVerifiedUser();
    const mark = `SHREDDED-${crypto.randomUUID()}`;
    await put(user.cookie, { contentLogging: true, trainingConsent: true });
    await captureExchange(env, exchange(user.id, mark));
    expect(await exportText(operator)).toContain(mark);
    await env.ACCOUNT.getByName(user.id).destroyDataKey(user.id);
    forgetDataKey(user.id);
    expect(await exportText(operator)).not.toContain(mark);
  });
});
