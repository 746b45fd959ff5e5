import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../worker/config";
import { httpTransport, MailApiError } from "../../worker/notices/http";
import { sendNotice } from "../../worker/notices/send";
import { call, expectError, uniqueEmail } from "./helpers";

const mailApi = () => env.MAIL_API_URL.replace(/\/send$/, "");

describe("notices", () => {
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

  it("posts notices to the mail API over HTTP, with an idempotency key", async () => {
    const transport = httpTransport(env.MAIL_API_URL, "mail-key");
    const to = uniqueEmail("http");
    await transport.deliver({
      id: "n-1",
      to,
      from: "Botmara <no-reply@botmara.com>",
      kind: "deletion_completed",
      subject: "Deleted",
      text: "Your account was deleted.",
      createdAt: new Date(),
    });
    const { data } = (await (await fetch(`${mailApi()}/__requests`)).json()) as {
      data: { headers: Record<string, string>; body: { to: string; subject: string } }[];
    };
    const sent = data.find((r) => r.body.to === to)!;
    expect(sent.body.subject).toBe("Deleted");
    expect(sent.headers.authorization).toBe("Bearer mail-key");
    expect(sent.headers["idempotency-key"]).toBe("n-1");
  });

  it("reports a failing mail API so the caller can retry", async () => {
    await fetch(`${mailApi()}/__script`, { method: "POST", body: JSON.stringify({ status: 503 }) });
    try {
      const transport = httpTransport(env.MAIL_API_URL, undefined);
      await expect(
        transport.deliver({
          id: "n-2",
          to: "x@example.com",
          from: "f",
          kind: "low_balance",
          subject: "s",
          text: "t",
          createdAt: new Date(),
        }),
      ).rejects.toBeInstanceOf(MailApiError);
    } finally {
      await fetch(`${mailApi()}/__script`, { method: "POST", body: JSON.stringify({ status: 0 }) });
    }
  });
});
