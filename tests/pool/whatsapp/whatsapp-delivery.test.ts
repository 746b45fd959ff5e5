// Delivery that respects Meta's limits: a message picked up is marked read with the typing indicator (once);
// the pair rate limit (131056) and throughput (130429) are retried after Meta's documented waits, on the
// cron's clock; a reply longer than 4,096 characters goes as several messages cut at paragraphs.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import * as whatsappPage from "../../../app/routes/dashboard/whatsapp";
import { marker, openaiFake, script } from "../support/ai-helpers";
import { call } from "../support/helpers";
import { args, page } from "../support/route-calls";
import {
  connectedUser,
  customerNumber,
  deliverSigned,
  graphOrigin,
  inboundMessage,
  messageRow,
  notification,
  runCron,
  scriptGraph,
  sentFrom,
  statusUpdate,
} from "../support/whatsapp-helpers";

async function readsOf(phoneNumberId: string) {
  const res = await fetch(`${graphOrigin()}/__reads?phone_number_id=${phoneNumberId}`);
  return ((await res.json()) as { data: { messageId: string; typing: boolean }[] }).data;
}

async function timing(accountId: string, id: string) {
  return (await env.DB.prepare(
    "SELECT status, attempts, next_attempt_at, updated_at FROM whatsapp_messages WHERE account_id = ? AND id = ?",
  )
    .bind(accountId, id)
    .first<{ status: string; attempts: number; next_attempt_at: number | null; updated_at: number }>())!;
}

describe("delivery", () => {
  it("marks a message read with the typing indicator when it is picked up, once across retries", async () => {
    const user = await connectedUser();
    await scriptGraph(user.phoneNumberId, 500, 1);
    const m = inboundMessage({ from: customerNumber() });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [m] }));
    const waiting = await timing(user.accountId, m.id);
    await runCron(waiting.next_attempt_at! + 1);
    expect(await messageRow(user.accountId, m.id)).toMatchObject({ status: "replied", attempts: 2 });
    expect(await readsOf(user.phoneNumberId)).toEqual([
      expect.objectContaining({ messageId: m.id, typing: true }),
    ]);
  });

  it("never marks read or shows typing for a contact who opted out", async () => {
    const user = await connectedUser();
    const from = customerNumber();
    await deliverSigned(
      user.appSecret,
      notification(user.phoneNumberId, { messages: [inboundMessage({ from, body: "STOP" })] }),
    );
    const later = inboundMessage({ from, body: "hello?" });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [later] }));
    expect((await readsOf(user.phoneNumberId)).map((r) => r.messageId)).not.toContain(later.id);
  });

  for (const [code, wait] of [
    [131056, 6_000],
    [130429, 1_000],
  ] as const) {
    it(`retries Graph ${code} after Meta's documented wait (${wait} ms, doubled), then answers`, async () => {
      const user = await connectedUser();
      await scriptGraph(user.phoneNumberId, 400, 2, code);
      const m = inboundMessage({ from: customerNumber() });
      await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [m] }));
      const first = await timing(user.accountId, m.id);
      expect(first).toMatchObject({ status: "pending", attempts: 1 });
      expect(first.next_attempt_at! - first.updated_at).toBe(wait);
      await runCron(first.next_attempt_at!);
      const second = await timing(user.accountId, m.id);
      expect(second).toMatchObject({ status: "pending", attempts: 2 });
      expect(second.next_attempt_at! - second.updated_at).toBe(2 * wait);
      await runCron(second.next_attempt_at!);
      expect(await messageRow(user.accountId, m.id)).toMatchObject({ status: "replied", attempts: 3 });
      expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
    });
  }

  it("sends a reply longer than 4,096 characters as several messages, cut between paragraphs", async () => {
    const user = await connectedUser({ model: "openai/gpt-4o-mini" });
    const tag = marker("long");
    const paragraphs = Array.from({ length: 6 }, (_, i) => `Paragraph ${i}. ${"word ".repeat(250).trim()}`);
    await script(openaiFake(), { match: tag, reply: paragraphs.join("\n\n") });
    const m = inboundMessage({ from: customerNumber(), body: `Tell me everything ${tag}` });
    await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [m] }));
    const sent = await sentFrom(user.phoneNumberId);
    // 1,262 characters a paragraph: three fit in one message, the fourth starts the next.
    expect(sent.length).toBe(2);
    for (const part of sent) expect(part.text.length).toBeLessThanOrEqual(4096);
    expect(sent.map((p) => p.text).join("\n\n")).toBe(paragraphs.join("\n\n"));
    expect(sent.map((p) => p.text.slice(0, 12))).toEqual(["Paragraph 0.", "Paragraph 3."]);
    const row = (await messageRow(user.accountId, m.id))!;
    expect(row).toMatchObject({ status: "replied", related_id: sent.at(-1)!.id });
    const { results } = await env.DB.prepare(
      "SELECT id FROM whatsapp_messages WHERE account_id = ? AND direction = 'out' AND related_id = ?",
    )
      .bind(user.accountId, m.id)
      .all<{ id: string }>();
    expect(results.map((r) => r.id).sort()).toEqual(sent.map((p) => p.id).sort());
  });
});

describe("failed deliveries", () => {
  const failureNotices = async (email: string) => {
    const res = await call(`/dev/mailbox?format=json&to=${encodeURIComponent(email)}`);
    const { data } = (await res.json()) as { data: { kind: string; text: string }[] };
    return data.filter((m) => m.kind === "whatsapp_delivery_failed");
  };

  it("are listed on the dashboard and mailed once per streak: again only after a reply was delivered", async () => {
    const user = await connectedUser();
    const deliver = async () => {
      const m = inboundMessage({ from: customerNumber() });
      await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [m] }));
      return m;
    };
    await scriptGraph(user.phoneNumberId, 400, 2, 100);
    const first = await deliver();
    await deliver();
    expect(await failureNotices(user.email)).toHaveLength(1);
    expect((await failureNotices(user.email))[0]!.text).toContain("code 100");

    const loaded = await whatsappPage.loader(args(page("/dashboard/whatsapp", user.cookie)));
    expect(loaded.failed.map((m) => m.id)).toContain(first.id);
    expect(loaded.failed).toHaveLength(2);

    const ok = await deliver();
    const reply = (await messageRow(user.accountId, ok.id))!.related_id!;
    expect(await failureNotices(user.email)).toHaveLength(1);
    // WhatsApp then reports that delivered-looking reply as failed: a new streak, a second notice.
    await deliverSigned(
      user.appSecret,
      notification(user.phoneNumberId, {
        statuses: [statusUpdate(reply, "failed", customerNumber(), { errors: [{ code: 131026 }] })],
      }),
    );
    const notices = await failureNotices(user.email);
    expect(notices).toHaveLength(2);
    expect(notices.map((n) => n.text).join()).toContain("code 131026");
  });
});
