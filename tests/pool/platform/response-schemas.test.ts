// Each response the API sends is exactly the shape its one zod schema declares (no field more, none
// missing): the schemas the services' types are derived from are the wire, not a second description of it.
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { Account, RectifiedAccount } from "#worker/accounts/views";
import { CreatedKey, Key } from "#worker/keys/views";
import { PrivacyPolicy } from "#worker/privacy/policy";
import { Report } from "#worker/privacy/promises/views";
import { Jwks, ReceiptResult } from "#worker/privacy/receipts/views";
import { PrivacyRequest, QueueItem, RequestDetail } from "#worker/privacy/rights-requests/view";
import { Entry } from "#worker/request-log/views";
import { ConsentEvent, Settings } from "#worker/settings/views";
import { Connection } from "#worker/whatsapp/views";
import { usageRows } from "../support/ai-helpers";
import { call, newKeyUser, newUser, newVerifiedUser, operatorSession } from "../support/helpers";
import { settle } from "../support/privacy-drive";

/** Parses the body under the schema made strict at its top level, so an undeclared field fails too. */
async function expectShape(res: Response, status: number, schema: z.ZodObject) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body: unknown = JSON.parse(text);
  const parsed = schema.strict().safeParse(body);
  expect(parsed.success ? null : parsed.error.issues, text).toBeNull();
  return body as Record<string, unknown>;
}

const each = async (res: Response, schema: z.ZodObject) => {
  const { data } = (await res.json()) as { data: unknown[] };
  expect(data.length).toBeGreaterThan(0);
  for (const item of data) expect(schema.strict().safeParse(item).error?.issues ?? null).toBeNull();
};

describe("responses match their declared schemas", () => {
  it("keys: created, listed, changed", async () => {
    const { cookie } = await newUser();
    const created = await expectShape(
      await call("/api/keys", { body: { name: "ci", monthlySpendLimitCents: 500 }, cookie }),
      201,
      CreatedKey,
    );
    await each(await call("/api/keys", { cookie }), Key);
    await expectShape(
      await call(`/api/keys/${created.id}`, { method: "PATCH", body: { rateLimitRpm: 10 }, cookie }),
      200,
      Key,
    );
  });

  it("account and privacy settings: read, changed, and the consent history", async () => {
    const { cookie } = await newVerifiedUser();
    const steps: [path: string, init: { method?: string; body?: unknown }, schema: z.ZodObject][] = [
      ["/api/account", {}, Account],
      ["/api/account", { method: "PATCH", body: { name: "Ada" } }, RectifiedAccount],
      ["/api/settings/privacy", {}, Settings],
      ["/api/settings/privacy", { method: "PUT", body: { trainingConsent: true } }, Settings],
    ];
    for (const [path, init, schema] of steps)
      await expectShape(await call(path, { ...init, cookie }), 200, schema);
    await each(await call("/api/settings/privacy/history", { cookie }), ConsentEvent);
  });

  it("privacy requests: the holder's and the operators' views", async () => {
    const user = await newUser();
    const operator = await operatorSession();
    const created = await expectShape(
      await call("/api/privacy/requests", { body: { type: "access" }, cookie: user.cookie }),
      202,
      PrivacyRequest,
    );
    await settle(user.id, String(created.id));
    await each(await call("/api/privacy/requests", { cookie: user.cookie }), PrivacyRequest);
    await each(await call("/api/admin/privacy/requests", { cookie: operator.cookie }), QueueItem);
    await expectShape(
      await call(`/api/admin/privacy/requests/${created.id}`, { cookie: operator.cookie }),
      200,
      RequestDetail,
    );
  });

  it("the request log, WhatsApp connection, policy, promises and receipt keys", async () => {
    const { cookie, key, id } = await newKeyUser();
    const answer = await call("/v1/chat/completions", {
      key,
      body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
    });
    expect(answer.status).toBe(200);
    await answer.text();
    await usageRows(id, 1);
    await each(await call("/api/requests", { cookie }), Entry);
    await expectShape(await call("/api/whatsapp", { cookie }), 200, Connection);
    const open: [path: string, body: unknown, schema: z.ZodObject][] = [
      ["/api/privacy/policy", undefined, PrivacyPolicy],
      ["/api/privacy/promises", undefined, Report],
      ["/.well-known/privacy-receipt-keys.json", undefined, Jwks],
      ["/api/privacy/receipts/verify", { receipt: "not.a.receipt" }, ReceiptResult],
    ];
    for (const [path, body, schema] of open) await expectShape(await call(path, { body }), 200, schema);
  });
});
