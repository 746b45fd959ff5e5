// GET/PUT /api/settings/privacy: defaults, partial updates, refusals that change nothing, consent history.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, newVerifiedUser } from "../support/helpers";

type Settings = {
  contentLogging: boolean;
  retentionDays: number;
  trainingConsent: boolean;
  notices: boolean;
  policyVersion: string;
  updatedAt: string | null;
};
type HistoryEvent = {
  setting: string;
  oldValue: boolean;
  newValue: boolean;
  policyVersion: string;
  channel: string;
  at: string;
};

const get = async (cookie: string) =>
  (await (await call("/api/settings/privacy", { cookie })).json()) as Settings;
const put = (cookie: string, body: unknown) => call("/api/settings/privacy", { method: "PUT", body, cookie });
const history = async (cookie: string) =>
  ((await (await call("/api/settings/privacy/history", { cookie })).json()) as { data: HistoryEvent[] }).data;

describe("privacy settings", () => {
  it("defaults: logging off, consent off, 30 days, notices on", async () => {
    const { cookie } = await newVerifiedUser();
    const res = await call("/api/settings/privacy", { cookie });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      contentLogging: false,
      trainingConsent: false,
      retentionDays: 30,
      notices: true,
      policyVersion: "2025-01",
      retentionChoicesDays: [1, 7, 30, 90],
      updatedAt: null,
    });
    expect(await history(cookie)).toEqual([]);
  });

  it("needs a session", async () => {
    await expectError(await call("/api/settings/privacy"), 401);
    await expectError(await call("/api/settings/privacy", { method: "PUT", body: { notices: false } }), 401);
    await expectError(await call("/api/settings/privacy/history"), 401);
  });

  it("PUT takes any subset and leaves the rest alone", async () => {
    const { cookie } = await newVerifiedUser();
    let res = await put(cookie, { retentionDays: 7 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      retentionDays: 7,
      contentLogging: false,
      trainingConsent: false,
    });
    res = await put(cookie, { contentLogging: true });
    expect(await res.json()).toMatchObject({
      retentionDays: 7,
      contentLogging: true,
      trainingConsent: false,
    });
    res = await put(cookie, {});
    expect(await res.json()).toMatchObject({ retentionDays: 7, contentLogging: true, notices: true });
    expect((await get(cookie)).updatedAt).not.toBeNull();
  });

  it.each([
    [{ retentionDays: 14 }, "retentionDays"],
    [{ retentionDays: "30" }, "retentionDays"],
    [{ retentionDays: 0 }, "retentionDays"],
    [{ contentLogging: "yes" }, "contentLogging"],
    [{ trainingConsent: 1 }, "trainingConsent"],
    [{ notices: null }, "notices"],
    [{ trainingConsent: true, extra: 1 }, null],
  ])("refuses %j and changes nothing", async (body, param) => {
    const { cookie } = await newVerifiedUser();
    await put(cookie, { retentionDays: 90 });
    const before = await get(cookie);
    const error = await expectError(await put(cookie, body), 400);
    if (param) expect(error.param).toBe(param);
    expect(await get(cookie)).toEqual(before);
    expect(await history(cookie)).toEqual([]);
  });

  it("refuses malformed JSON, wrong content type and forged origins, changing nothing", async () => {
    const { cookie } = await newVerifiedUser();
    await expectError(
      await call("/api/settings/privacy", {
        method: "PUT",
        cookie,
        rawBody: "{",
        headers: { "content-type": "application/json" },
      }),
      400,
    );
    await expectError(
      await call("/api/settings/privacy", {
        method: "PUT",
        cookie,
        rawBody: "trainingConsent=true",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
      415,
    );
    const csrf = await call("/api/settings/privacy", {
      method: "PUT",
      cookie,
      body: { contentLogging: true },
      origin: "https://evil.example",
    });
    expect(csrf.status).toBe(403);
    expect(await get(cookie)).toMatchObject({
      contentLogging: false,
      trainingConsent: false,
      updatedAt: null,
    });
    expect(await history(cookie)).toEqual([]);
  });

  it("refuses an oversize body with 413, changing nothing", async () => {
    const { cookie } = await newVerifiedUser();
    const res = await call("/api/settings/privacy", {
      method: "PUT",
      cookie,
      rawBody: JSON.stringify({ trainingConsent: true, pad: "x".repeat(300 * 1024) }),
      headers: { "content-type": "application/json" },
    });
    await expectError(res, 413);
    expect(await get(cookie)).toMatchObject({ trainingConsent: false, updatedAt: null });
  });

  it("records every consent change with time, old, new, policy version and channel", async () => {
    const { cookie, id } = await newVerifiedUser();
    const t0 = Date.now();
    await put(cookie, { trainingConsent: true });
    await put(cookie, { trainingConsent: true }); // no change, no record
    await put(cookie, { trainingConsent: false, contentLogging: true, retentionDays: 1 });
    const events = await history(cookie);
    expect(events.map((e) => [e.setting, e.oldValue, e.newValue])).toEqual([
      ["contentLogging", false, true],
      ["trainingConsent", true, false],
      ["trainingConsent", false, true],
    ]);
    for (const e of events) {
      expect(e.policyVersion).toBe("2025-01");
      expect(e.channel).toBe("api");
      expect(Date.parse(e.at)).toBeGreaterThanOrEqual(t0 - 1000);
    }
    // Append-only, enforced by the database itself.
    await expect(
      env.DB.prepare("UPDATE consent_events SET new_value = 1 WHERE account_id = ?").bind(id).run(),
    ).rejects.toThrow(/append-only/);
  });

  it("withdrawing is one call, exactly like giving", async () => {
    const { cookie } = await newVerifiedUser();
    expect((await put(cookie, { trainingConsent: true })).status).toBe(200);
    expect((await get(cookie)).trainingConsent).toBe(true);
    expect((await put(cookie, { trainingConsent: false })).status).toBe(200);
    expect((await get(cookie)).trainingConsent).toBe(false);
  });

  it("concurrent changes each land in the history with the value they replaced", async () => {
    const { cookie } = await newVerifiedUser();
    const results = await Promise.all(
      [true, false, true, false, true].map((v) => put(cookie, { trainingConsent: v })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const events = (await history(cookie)).reverse();
    // Every recorded change starts from where the previous one ended.
    let current = false;
    for (const e of events) {
      expect(e.oldValue).toBe(current);
      expect(e.newValue).toBe(!current);
      current = e.newValue;
    }
    expect((await get(cookie)).trainingConsent).toBe(current);
  });

  it("one account's settings never touch another's", async () => {
    const a = await newVerifiedUser();
    const b = await newVerifiedUser();
    await put(a.cookie, { contentLogging: true, trainingConsent: true, retentionDays: 1 });
    expect(await get(b.cookie)).toMatchObject({
      contentLogging: false,
      trainingConsent: false,
      retentionDays: 30,
    });
    expect(await history(b.cookie)).toEqual([]);
  });

  it("accepts exactly the retention choices and defaults the /privacy policy states", async () => {
    const { facts } = (await (await call("/api/privacy/policy")).json()) as {
      facts: {
        retentionChoicesDays: number[];
        contentLoggingDefault: boolean;
        trainingConsentDefault: boolean;
      };
    };
    const { cookie } = await newVerifiedUser();
    const defaults = await get(cookie);
    expect(defaults.contentLogging).toBe(facts.contentLoggingDefault);
    expect(defaults.trainingConsent).toBe(facts.trainingConsentDefault);
    for (const days of facts.retentionChoicesDays) {
      expect((await put(cookie, { retentionDays: days })).status).toBe(200);
    }
    for (const days of [2, 3, 14, 31, 60, 365]) {
      await expectError(await put(cookie, { retentionDays: days }), 400);
    }
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await (await call("/api/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(doc.paths["/api/settings/privacy"]).toBeDefined();
    expect(doc.paths["/api/admin/training-export"]).toBeDefined();
  });
});

describe("consent wording", () => {
  it("each event stores the SHA-256 of the wording in force, and the history shows that wording", async () => {
    const { CONSENT_WORDING } = await import("#worker/settings/consent-wording");
    const { sha256Hex } = await import("#worker/crypto/encoding");
    const { cookie, id } = await newVerifiedUser();
    expect((await put(cookie, { trainingConsent: true, notices: false })).status).toBe(200);
    const { results } = await env.DB.prepare(
      "SELECT setting, wording_hash FROM consent_events WHERE account_id = ? ORDER BY seq",
    )
      .bind(id)
      .all<{ setting: "trainingConsent" | "notices"; wording_hash: string }>();
    expect(results).toHaveLength(2);
    for (const r of results) expect(r.wording_hash).toBe(await sha256Hex(CONSENT_WORDING[r.setting]));
    const shown = (await history(cookie)) as (HistoryEvent & { wording: string; wordingHash: string })[];
    expect(shown.map((e) => [e.setting, e.wording])).toEqual([
      ["notices", CONSENT_WORDING.notices],
      ["trainingConsent", CONSENT_WORDING.trainingConsent],
    ]);
  });
});
