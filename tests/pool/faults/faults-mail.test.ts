// Faults of the mail provider: it answers 5xx, it times out (having accepted the email), it is not
// configured. The notice is kept in the outbox, retried by the cron until it goes, never dropped, and the
// provider receives it once (the notice id is its idempotency key).
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { failureCountsNow } from "#worker/failure-counts";
import worker from "#worker/index";
import { deliverDueNotices } from "#worker/notices/outbox";
import { sendNotice } from "#worker/notices/send";
import { envWith } from "../support/faults";
import { uniqueEmail } from "../support/helpers";
import { emailsTo, outboxOf, resendEnv, scriptMail } from "../support/mail-helpers";

const MINUTE = 60_000;

const notice = (to: string) =>
  ({ to, kind: "export_ready", subject: "Your export is ready", text: "Download it." }) as const;

async function huskOf(id: string) {
  return env.DB.prepare("SELECT * FROM notice_outbox WHERE id = ?")
    .bind(id)
    .first<{ to: string; sent_at: number | null; attempts: number }>();
}

describe("the mail provider fails", () => {
  it("5xx: the notice is kept and retried by the cron until sent, once", async () => {
    const to = uniqueEmail("mail5xx");
    const mail = resendEnv();
    await scriptMail(to, { status: 503, times: 2 });
    const before = (await failureCountsNow(env)).notice_delivery ?? 0;

    // The caller is not failed: the notice is durable, the first attempt failed.
    await sendNotice(mail, notice(to));
    const [kept] = await outboxOf(to);
    expect(kept).toMatchObject({ attempts: 1, sent_at: null, last_error: "mail API answered 503" });
    expect(await emailsTo(to)).toEqual([]);

    // Not due yet: a cron run right away leaves it alone.
    expect((await deliverDueNotices(mail, new Date())).sent).toBe(0);
    // The next run after the backoff fails again (still 503); the one after sends it.
    await deliverDueNotices(mail, new Date(Date.now() + 2 * MINUTE));
    expect((await outboxOf(to))[0]).toMatchObject({ attempts: 2, sent_at: null });
    await deliverDueNotices(mail, new Date(Date.now() + 10 * MINUTE));
    // Later runs find nothing to do.
    await deliverDueNotices(mail, new Date(Date.now() + 60 * MINUTE));

    const sent = await emailsTo(to);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.idempotencyKey).toBe(kept!.id);
    expect(sent[0]!.body.subject).toBe("Your export is ready");
    expect(await outboxOf(to)).toEqual([]);
    expect(await huskOf(kept!.id)).toMatchObject({ to: "", attempts: 3 });
    expect((await failureCountsNow(env)).notice_delivery).toBeGreaterThanOrEqual(before + 2);
  });

  it("timeout after the provider accepted: retried under the same key, so the email goes out once", async () => {
    const to = uniqueEmail("mailslow");
    const mail = resendEnv({ MAIL_TIMEOUT_MS: "200" });
    // The provider takes longer than our deadline, but does send the email.
    await scriptMail(to, { delayMs: 1_500 });
    await sendNotice(mail, notice(to));
    const [kept] = await outboxOf(to);
    expect(kept).toMatchObject({ sent_at: null, last_error: "mail API unreachable" });

    // The retry waits for the first request to have landed at the provider, then carries the same key.
    await expect.poll(async () => (await emailsTo(to)).length, { timeout: 10_000 }).toBe(1);
    await deliverDueNotices(mail, new Date(Date.now() + 2 * MINUTE));
    expect(await outboxOf(to)).toEqual([]);
    expect(await huskOf(kept!.id)).toMatchObject({ attempts: 2 });
    const sent = await emailsTo(to);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.idempotencyKey).toBe(kept!.id);
  });

  it("a run with the provider down stops early and loses nothing; the next run sends each notice once", async () => {
    const tos = [1, 2, 3, 4, 5].map(() => uniqueEmail("maildown"));
    const mail = resendEnv();
    for (const to of tos) {
      await scriptMail(to, { status: 500, times: 2 });
      await sendNotice(mail, notice(to));
    }
    await deliverDueNotices(mail, new Date(Date.now() + 2 * MINUTE));
    for (const to of tos) expect(await emailsTo(to)).toEqual([]);
    // Three failures in a row: the run stopped rather than wait out every notice's attempt.
    const rows = (await Promise.all(tos.map(outboxOf))).flat();
    expect(rows.filter((r) => r.attempts === 2)).toHaveLength(3);
    // The cron (the real scheduled handler) runs on; every notice goes, each once.
    for (const minutes of [10, 20, 40]) {
      const ctx = createExecutionContext();
      const at = Date.now() + minutes * MINUTE;
      await worker.scheduled(
        createScheduledController({ cron: "*/5 * * * *", scheduledTime: at }),
        mail,
        ctx,
      );
      await waitOnExecutionContext(ctx);
    }
    for (const to of tos) {
      expect(await emailsTo(to), to).toHaveLength(1);
      expect(await outboxOf(to)).toEqual([]);
    }
  });

  it("no provider key in production: the notice is kept until one is configured, then sent", async () => {
    const to = uniqueEmail("mailnokey");
    // Outside local mode the dev mailbox is never used, so a missing key keeps the notice in the outbox.
    const unconfigured = envWith({ LOCAL_MODE: "false", MAIL_API_KEY: "" } as Partial<Env>);
    await sendNotice(unconfigured, notice(to));
    expect((await outboxOf(to))[0]).toMatchObject({ sent_at: null, last_error: "MAIL_API_KEY is not set" });
    expect(await env.DB.prepare('SELECT id FROM notices WHERE "to" = ?').bind(to).first()).toBeNull();

    await deliverDueNotices(resendEnv(), new Date(Date.now() + 2 * MINUTE));
    expect(await emailsTo(to)).toHaveLength(1);
    expect(await outboxOf(to)).toEqual([]);
  });
});
