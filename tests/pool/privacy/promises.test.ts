// The live promise report: each promise check is broken on purpose and must say `broken` with that evidence,
// then `kept` once repaired; the public report carries no customer data; operators are told.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AccountHost } from "#worker/account-object/host";
import {
  contentObjectKey,
  DEPLOYED_LIFECYCLE_KEY,
  lifecycleRecord,
  lifecycleRules,
} from "#worker/content/layout";
import { getDb } from "#worker/db";
import { allChecks, trainingConsentCheck } from "#worker/privacy/promises/checks";
import { promiseReport, runPromiseChecks } from "#worker/privacy/promises/report";
import { DAY_MS } from "#worker/time";
import { trainingInclusion } from "#worker/training/export";
import { call, newUser, newVerifiedUser, operatorSession, PASSWORD } from "../support/helpers";
import { settle } from "../support/privacy-drive";
import { seedRequestLog, usageRow } from "../support/request-log";

const check = (id: string) => {
  const found = allChecks().find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};

/** Runs one promise check through the recording path and returns what the operator report shows for it. */
async function audit(id: string, now = new Date()) {
  await runPromiseChecks(env, now, [check(id)]);
  const report = await promiseReport(env, { operator: true });
  const found = report.promises.flatMap((p) => p.checks).find((c) => c.id === id)!;
  return found;
}

async function putContent(accountId: string, days: 1 | 7 | 30 | 90, meta: Record<string, string> = {}) {
  const key = contentObjectKey(days, accountId, new Date(), crypto.randomUUID());
  await env.CONTENT.put(key, "sealed-bytes", {
    customMetadata: { acct: accountId, keyVer: "1", consent: "0", source: "api", ...meta },
  });
  return key;
}

const setLogging = (cookie: string, body: Record<string, unknown>) =>
  call("/api/settings/privacy", { method: "PUT", body, cookie });

describe("promise report", () => {
  it("lists P1–P12 publicly with mechanism, config, status and last run, and no customer data", async () => {
    const user = await newVerifiedUser();
    const key = await putContent(user.id, 7);
    await runPromiseChecks(env, new Date());
    const res = await call("/api/privacy/promises");
    expect(res.status).toBe(200);
    const text = await res.text();
    const report = JSON.parse(text) as Awaited<ReturnType<typeof promiseReport>>;
    expect(report.promises.map((p) => p.id)).toEqual(Array.from({ length: 12 }, (_, i) => `P${i + 1}`));
    for (const p of report.promises) {
      expect(p.mechanism.length).toBeGreaterThan(20);
      expect(["kept", "at_risk", "broken"]).toContain(p.status);
      expect(p.lastRunAt).not.toBeNull();
    }
    expect(report.promises.find((p) => p.id === "P9")!.config).toMatchObject({ deletionDeadlineDays: 30 });
    // The content stored while logging is off is found — and the public report names neither account nor key.
    expect(report.promises.find((p) => p.id === "P5")!.status).toBe("broken");
    expect(text).not.toContain(user.id);
    expect(text).not.toContain(key);
    expect(text).not.toContain(user.email);
    await env.CONTENT.delete(key);
    expect((await audit("p5.logging_off")).status).toBe("kept");
  });

  it("P5: an object older than its retention class is broken, kept once it is gone", async () => {
    const user = await newVerifiedUser();
    await setLogging(user.cookie, { contentLogging: true, retentionDays: 7 });
    const key = await putContent(user.id, 7);
    expect((await audit("p5.content_age")).status).toBe("kept");
    const late = await audit("p5.content_age", new Date(Date.now() + 8 * DAY_MS));
    expect(late.status).toBe("broken");
    expect(late.facts).toMatchObject({ expired_7d: 1, expired: 1 });
    expect(late.refs).toEqual([key]);
    await env.CONTENT.delete(key);
    expect((await audit("p5.content_age", new Date(Date.now() + 8 * DAY_MS))).status).toBe("kept");
  });

  it("P5: content stored for an account whose logging is off is broken; after logging is switched on it is kept", async () => {
    const user = await newVerifiedUser();
    const key = await putContent(user.id, 30);
    const found = await audit("p5.logging_off");
    expect(found.status).toBe("broken");
    expect(found.facts).toMatchObject({ violatingObjects: 1, violatingAccounts: 1 });
    expect(found.refs).toEqual([key]);
    await env.CONTENT.delete(key);
    expect((await audit("p5.logging_off")).status).toBe("kept");
    // An account that logs content legitimately is fine.
    await setLogging(user.cookie, { contentLogging: true });
    const logged = await putContent(user.id, 30);
    expect((await audit("p5.logging_off")).status).toBe("kept");
    await env.CONTENT.delete(logged);
  });

  it("P5: lifecycle rules are not kept until the deploy records them, broken when a rule outlives its class", async () => {
    await env.CONTENT.delete(DEPLOYED_LIFECYCLE_KEY);
    const missing = await audit("p5.lifecycle_rules");
    expect(missing.status).toBe("at_risk");
    expect(missing.facts).toMatchObject({ recorded: false });
    const record = (rules: unknown[]) =>
      env.CONTENT.put(
        DEPLOYED_LIFECYCLE_KEY,
        JSON.stringify({ ...lifecycleRecord(new Date(), "deploy"), rules }),
      );

    // Exactly what the deploy sets (lifecycleRecord is what scripts/deploy.ts and scripts/server.ts write).
    await env.CONTENT.put(DEPLOYED_LIFECYCLE_KEY, JSON.stringify(lifecycleRecord(new Date(), "deploy")));
    const matching = await audit("p5.lifecycle_rules");
    expect(matching.status).toBe("kept");
    expect(matching.facts).toMatchObject({ recorded: true, setBy: "deploy", missing: 0, longer: 0 });

    // The 7-day class kept for 400 days: broken, naming the rule and both ages.
    const longer = structuredClone(lifecycleRules().rules);
    const seven = longer.find((r) => r.id === "content-7d")!;
    seven.deleteObjectsTransition.condition.maxAge = 400 * 86_400;
    await record(longer);
    const differs = await audit("p5.lifecycle_rules");
    expect(differs.status).toBe("broken");
    expect(differs.facts).toMatchObject({ longer: 1, missing: 0 });
    expect(differs.refs).toEqual(["content-7d (content/7d/: 400 days, class 7)"]);
    expect(differs.summary).toContain("content-7d");

    // A class with no rule, or a disabled one, is broken too; a shorter age is only at risk.
    const disabled = structuredClone(lifecycleRules().rules);
    disabled[0]!.enabled = false;
    await record(disabled.slice(0, -1));
    expect((await audit("p5.lifecycle_rules")).facts).toMatchObject({ missing: 2 });
    const shorter = structuredClone(lifecycleRules().rules);
    shorter.find((r) => r.id === "content-30d")!.deleteObjectsTransition.condition.maxAge = 86_400;
    await record(shorter);
    expect((await audit("p5.lifecycle_rules")).status).toBe("at_risk");

    // A record that is not the deploy's shape proves nothing.
    await env.CONTENT.put(DEPLOYED_LIFECYCLE_KEY, "{not json");
    expect((await audit("p5.lifecycle_rules")).status).toBe("broken");

    await env.CONTENT.put(DEPLOYED_LIFECYCLE_KEY, JSON.stringify(lifecycleRecord(new Date(), "deploy")));
    expect((await audit("p5.lifecycle_rules")).status).toBe("kept");
  });

  it("P6: the training export's dry count including a non-consenting account is broken; the real one is kept", async () => {
    const consenting = await newVerifiedUser();
    await setLogging(consenting.cookie, { contentLogging: true, trainingConsent: true });
    const ok = await putContent(consenting.id, 30, { consent: "1" });
    const other = await newVerifiedUser();
    const notConsenting = await putContent(other.id, 30, { consent: "1" });
    const real = trainingConsentCheck();
    expect((await real.run(env, new Date())).facts).toMatchObject({ includedObjects: 1 });
    // A faulty export that ignores the account's current consent.
    const faulty = trainingConsentCheck(async function* (e) {
      yield* trainingInclusion(e, getDb(e.DB));
      const object = (await e.CONTENT.head(notConsenting))!;
      yield { accountId: other.id, object };
    });
    await runPromiseChecks(env, new Date(), [faulty]);
    const report = await promiseReport(env, { operator: true });
    const p6 = report.promises.find((p) => p.id === "P6")!;
    expect(p6.status).toBe("broken");
    expect(p6.checks[0]!.facts).toMatchObject({ withoutConsent: 1 });
    expect(p6.checks[0]!.refs).toEqual([notConsenting]);
    await runPromiseChecks(env, new Date(), [real]);
    expect((await promiseReport(env)).promises.find((p) => p.id === "P6")!.status).toBe("kept");
    await env.CONTENT.delete([ok, notConsenting]);
  });

  it("P9: a request back-dated past its deadline is broken, kept once it is closed; operators are told", async () => {
    const id = crypto.randomUUID();
    const long = Date.now() - 40 * DAY_MS;
    await env.DB.prepare(
      `INSERT INTO privacy_requests (id, account_id, subject, type, channel, status, received_at, due_at, updated_at)
       VALUES (?, NULL, ?, 'access', 'email', 'received', ?, ?, ?)`,
    )
      .bind(id, `s-${id}`, long, long + 30 * DAY_MS, long)
      .run();
    const overdue = await audit("p9.deadlines");
    expect(overdue.status).toBe("broken");
    expect(overdue.refs).toContain(id);
    const notice = await env.DB.prepare(
      "SELECT subject FROM notices WHERE kind = 'operator_promise_broken' AND \"to\" = 'operator@example.com' ORDER BY created_at DESC",
    ).first<{ subject: string }>();
    expect(notice!.subject).toContain("p9.deadlines");
    // The broken promise is a degraded check in the health endpoint (still 200: the service serves).
    const health = async () => {
      const res = await call("/api/health/deep", { cookie: (await operatorSession()).cookie });
      return {
        code: res.status,
        ...((await res.json()) as { status: string; checks: Record<string, { ok: boolean }> }),
      };
    };
    const degraded = await health();
    expect(degraded).toMatchObject({
      code: 200,
      status: "degraded",
      checks: { privacyPromises: { ok: false } },
    });
    await env.DB.prepare("UPDATE privacy_requests SET status = 'denied' WHERE id = ?").bind(id).run();
    expect((await audit("p9.deadlines")).status).toBe("kept");
    expect(await health()).toMatchObject({
      code: 200,
      status: "ok",
      checks: { privacyPromises: { ok: true } },
    });
  });

  it("operators get exactly one notice when a check turns broken, none while it stays broken, and no customer data", async () => {
    const user = await newVerifiedUser();
    const id = crypto.randomUUID();
    const long = Date.now() - 40 * DAY_MS;
    const deadlines = [check("p9.deadlines")];
    // Start from kept, so the next run is a transition.
    await env.DB.prepare(
      "UPDATE privacy_requests SET status = 'denied' WHERE status IN ('received','verifying','in_progress')",
    ).run();
    await runPromiseChecks(env, new Date(), deadlines);
    await env.DB.prepare(
      `INSERT INTO privacy_requests (id, account_id, subject, type, channel, status, received_at, due_at, updated_at)
       VALUES (?, ?, ?, 'deletion', 'email', 'received', ?, ?, ?)`,
    )
      .bind(id, user.id, `s-${id}`, long, long + 30 * DAY_MS, long)
      .run();
    // The outbox keeps a husk of each notice sent (kind and time); the local mailbox has its text.
    const sent = async () =>
      (
        await env.DB.prepare(
          "SELECT id FROM notice_outbox WHERE kind = 'operator_promise_broken' ORDER BY created_at",
        ).all<{ id: string }>()
      ).results;
    const before = (await sent()).length;
    const turned = new Date();
    expect(await runPromiseChecks(env, turned, deadlines)).toEqual({ "p9.deadlines": "broken" });
    const after = await sent();
    expect(after.length).toBe(before + 1);
    // The husk the outbox keeps names no address.
    expect(after.map((n) => n.id).join(" ")).not.toContain("operator@example.com");
    const notice = (await env.DB.prepare(
      "SELECT \"to\", subject, text FROM notices WHERE kind = 'operator_promise_broken' ORDER BY created_at DESC",
    ).first<{ to: string; subject: string; text: string }>())!;
    expect(notice.to).toBe("operator@example.com");
    expect(notice.subject).toContain("p9.deadlines");
    expect(notice.text).toContain("past their 30-day deadline");
    for (const secret of [id, user.id, user.email]) {
      expect(notice.subject).not.toContain(secret);
      expect(notice.text).not.toContain(secret);
    }
    // Still broken on the next runs, and a retried run of the same tick: nothing more is sent.
    await runPromiseChecks(env, new Date(turned.getTime() + 1), deadlines);
    await runPromiseChecks(env, turned, deadlines);
    await runPromiseChecks(env, new Date(turned.getTime() + 2), deadlines);
    expect((await sent()).length).toBe(before + 1);
    // Repaired, then broken again: that is a new transition, told once more.
    await env.DB.prepare("UPDATE privacy_requests SET status = 'denied' WHERE id = ?").bind(id).run();
    await runPromiseChecks(env, new Date(turned.getTime() + 3), deadlines);
    await env.DB.prepare("UPDATE privacy_requests SET status = 'received' WHERE id = ?").bind(id).run();
    await runPromiseChecks(env, new Date(turned.getTime() + 4), deadlines);
    expect((await sent()).length).toBe(before + 2);
    await env.DB.prepare("UPDATE privacy_requests SET status = 'denied' WHERE id = ?").bind(id).run();
    await runPromiseChecks(env, new Date(turned.getTime() + 5), deadlines);
  });

  it("P9: a row or a data key left after a completed deletion is broken, kept once erased", async () => {
    const user = await newVerifiedUser();
    const res = await call("/api/privacy/requests", {
      body: { type: "deletion", password: PASSWORD },
      cookie: user.cookie,
    });
    const { id } = (await res.json()) as { id: string };
    expect(await settle(user.id, id)).toBe("completed");
    const clean = await audit("p9.nothing_left");
    expect(clean.status).toBe("kept");
    expect(clean.facts.deletionsChecked).toBeGreaterThanOrEqual(1);

    await env.DB.prepare(
      "INSERT INTO notices (id, account_id, \"to\", kind, subject, text, created_at) VALUES (?, ?, 'x@example.com', 'low_balance', 's', 't', ?)",
    )
      .bind(`left-${id}`, user.id, Date.now())
      .run();
    const left = await audit("p9.nothing_left");
    expect(left.status).toBe("broken");
    expect(left.facts).toMatchObject({ rowsLeft: 1, dataKeysLeft: 0 });
    expect(left.refs).toEqual([id]);
    await env.DB.prepare("DELETE FROM notices WHERE id = ?").bind(`left-${id}`).run();
    expect((await audit("p9.nothing_left")).status).toBe("kept");

    const stub = env.ACCOUNT.getByName(user.id);
    await runInDurableObject(stub, (_o, state) => state.storage.put("content:dataKey", { keyVer: 1 }));
    const key = await audit("p9.nothing_left");
    expect(key.status).toBe("broken");
    expect(key.facts).toMatchObject({ dataKeysLeft: 1 });
    await runInDurableObject(stub, (_o, state) => state.storage.delete("content:dataKey"));
    expect((await audit("p9.nothing_left")).status).toBe("kept");
  });

  it("P9: after export → delete the check stays kept; the export request is kept pseudonymised, detached", async () => {
    const user = await newUser();
    const exported = await call("/api/privacy/requests", { body: { type: "access" }, cookie: user.cookie });
    const access = (await exported.json()) as { id: string };
    expect(await settle(user.id, access.id)).toBe("completed");
    const res = await call("/api/privacy/requests", {
      body: { type: "deletion", password: PASSWORD },
      cookie: user.cookie,
    });
    const { id } = (await res.json()) as { id: string };
    expect(await settle(user.id, id)).toBe("completed");
    const after = await audit("p9.nothing_left");
    expect(after.status).toBe("kept");
    expect(after.facts).toMatchObject({ rowsLeft: 0 });
    const kept = await env.DB.prepare(
      "SELECT id, type, account_id, export_manifest, progress FROM privacy_requests WHERE id IN (?, ?) ORDER BY type",
    )
      .bind(access.id, id)
      .all();
    expect(kept.results).toEqual([
      {
        id: access.id,
        type: "access",
        account_id: null,
        export_manifest: null,
        progress: "export deleted with the account",
      },
      { id, type: "deletion", account_id: null, export_manifest: null, progress: "completed" },
    ]);
  });

  it("P3/P10: content in a usage row or an unhashed key is broken, kept once removed", async () => {
    const user = await newVerifiedUser();
    // A row in the account's request log (its object) whose model field carries free text.
    await seedRequestLog(user.id, [
      usageRow(user.id, null, { id: "leaky", model: "Tell me about my medical records", provider: "dev" }),
    ]);
    const leaky = await audit("p3.usage_no_content");
    expect(leaky.status).toBe("broken");
    expect(leaky.refs).toEqual(["leaky"]);
    await runInDurableObject(env.ACCOUNT.getByName(user.id), (_o, state) =>
      new AccountHost(state, env).requestRows.erase(),
    );
    expect((await audit("p3.usage_no_content")).status).toBe("kept");

    await env.DB.prepare(
      "INSERT INTO api_keys (id, account_id, name, prefix, key_hash, created_at) VALUES ('plain', ?, 'k', 'sk-x', 'sk-live-plaintext', ?)",
    )
      .bind(user.id, Date.now())
      .run();
    const plain = await audit("p3.key_hashes");
    expect(plain.status).toBe("broken");
    expect(plain.facts).toMatchObject({ notHashedKeys: 1 });
    await env.DB.prepare("DELETE FROM api_keys WHERE id = 'plain'").run();
    expect((await audit("p3.key_hashes")).status).toBe("kept");
  });

  it("P12: a notice without the configured contact is broken, kept once gone; the policy shows it", async () => {
    expect((await audit("p12.contact_on_policy")).status).toBe("kept");
    await env.DB.prepare(
      "INSERT INTO notices (id, account_id, \"to\", kind, subject, text, created_at) VALUES ('old-footer', NULL, 'x@example.com', 'low_balance', 's', 'Ask old@example.com', ?)",
    )
      .bind(Date.now())
      .run();
    const found = await audit("p12.contact_in_notices");
    expect(found.status).toBe("broken");
    expect(found.refs).toEqual(["old-footer"]);
    await env.DB.prepare("DELETE FROM notices WHERE id = 'old-footer'").run();
    expect((await audit("p12.contact_in_notices")).status).toBe("kept");
  });

  it("P1, P7, P8, P11 and the receipt key pass on this schema and configuration", async () => {
    for (const id of [
      "p1.usage_schema",
      "p7.whatsapp_schema",
      "p8.no_card_data",
      "p11.registry_coverage",
      "p9.receipt_key",
    ])
      expect({ id, status: (await audit(id)).status }).toEqual({ id, status: "kept" });
  });
});
