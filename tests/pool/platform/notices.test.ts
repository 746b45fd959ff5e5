// Notices: the dev mailbox in local mode, Resend's API otherwise (its documented JSON shape, Bearer key,
// Idempotency-Key), every notice through the outbox, and which transport each configuration picks.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getConfig } from "#worker/config";
import { mailApiUrl } from "#worker/notices/resend";
import { sendNotice } from "#worker/notices/send";
import { envWith } from "../support/faults";
import { call, expectError, uniqueEmail } from "../support/helpers";
import { emailsTo, outboxOf, resendEnv } from "../support/mail-helpers";

describe("notices (local mode: the dev mailbox)", () => {
  it("stores local notices with the privacy contact and shows them in the dev mailbox", async () => {
    const to = uniqueEmail("notice");
    await sendNotice(env, {
      to,
      kind: "export_ready",
      subject: "Your export is ready",
      text: "Download it.",
    });
    const row = await env.DB.prepare('SELECT * FROM notices WHERE "to" = ?')
      .bind(to)
      .first<{ text: string }>();
    expect(row!.text).toContain("Download it.");
    expect(row!.text).toContain(getConfig(env).privacyContact);
    // Through the outbox like any notice: delivered, so nothing of it is pending.
    expect(await outboxOf(to)).toEqual([]);

    const json = (await (await call(`/dev/mailbox?format=json&to=${encodeURIComponent(to)}`)).json()) as {
      data: { subject: string; kind: string }[];
    };
    expect(json.data).toEqual([
      expect.objectContaining({ subject: "Your export is ready", kind: "export_ready" }),
    ]);
    const page = await call("/dev/mailbox");
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("Your export is ready");
  });

  it("escapes what it shows", async () => {
    const to = uniqueEmail("xss");
    await sendNotice(env, { to, kind: "low_balance", subject: "<script>x</script>", text: "t" });
    const text = await (await call("/dev/mailbox")).text();
    expect(text).not.toContain("<script>x</script>");
  });

  it("refuses a malformed mailbox query", async () => {
    await expectError(await call("/dev/mailbox?format=xml"), 400);
  });

  it("sends a notice with a key once, however often it is asked for", async () => {
    const to = uniqueEmail("keyed");
    const notice = { to, kind: "deletion_completed", subject: "Deleted", text: "t", key: `k-${to}` } as const;
    await sendNotice(env, notice);
    await sendNotice(env, notice);
    const { results } = await env.DB.prepare('SELECT id FROM notices WHERE "to" = ?').bind(to).all();
    expect(results).toHaveLength(1);
  });
});

describe("notices (Resend)", () => {
  it("posts Resend's JSON shape with the key as Bearer and the notice id as Idempotency-Key", async () => {
    const to = uniqueEmail("resend");
    await sendNotice(resendEnv(), {
      to,
      kind: "deletion_completed",
      subject: "Deleted",
      text: "Your account was deleted.",
      key: `deleted-${to}`,
    });
    const [sent, ...more] = await emailsTo(to);
    expect(more).toEqual([]);
    expect(sent!.authorization).toBe("Bearer re_test_key");
    expect(sent!.idempotencyKey).toBe(`deleted-${to}`);
    expect(sent!.body).toEqual({
      from: "Botmara <no-reply@botmara.com>",
      to: [to],
      subject: "Deleted",
      text: expect.stringContaining("Your account was deleted."),
      tags: [{ name: "kind", value: "deletion_completed" }],
    });
    // Sent: only a husk remains (no address, no text), so a repeat of the key is a no-op.
    const husk = await env.DB.prepare("SELECT * FROM notice_outbox WHERE id = ?")
      .bind(`deleted-${to}`)
      .first<{ to: string; text: string; sent_at: number | null; account_id: string | null }>();
    expect(husk).toMatchObject({ to: "", text: "", account_id: null });
    expect(husk!.sent_at).not.toBeNull();
    // Nothing landed in the dev mailbox.
    expect(await env.DB.prepare('SELECT id FROM notices WHERE "to" = ?').bind(to).first()).toBeNull();
  });

  it("picks the transport from the mode: outside local mode always Resend, never the dev mailbox", () => {
    const pick = (vars: Record<string, string>) => getConfig(envWith(vars as Partial<Env>)).mail.transport;
    expect(pick({ LOCAL_MODE: "true", MAIL_API_KEY: "" })).toBe("local");
    expect(pick({ LOCAL_MODE: "true", MAIL_API_KEY: "re_x" })).toBe("resend");
    expect(pick({ LOCAL_MODE: "true", MAIL_API_KEY: "re_x", MAIL_TRANSPORT: "local" })).toBe("local");
    expect(pick({ LOCAL_MODE: "false", MAIL_TRANSPORT: "local" })).toBe("resend");
    expect(pick({ LOCAL_MODE: "false", MAIL_API_KEY: "" })).toBe("resend");
  });

  it("calls Resend over https only; plain http only to loopback in local mode", () => {
    expect(mailApiUrl("https://api.resend.com", false)).toBe("https://api.resend.com/emails");
    expect(mailApiUrl("http://127.0.0.1:4000/", true)).toBe("http://127.0.0.1:4000/emails");
    expect(() => mailApiUrl("http://127.0.0.1:4000", false)).toThrow();
    expect(() => mailApiUrl("http://mail.example.com", true)).toThrow();
  });
});
