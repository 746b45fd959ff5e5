// Pacing and bursts in the number's Durable Object, on a fake clock: the object only ever uses the `now` it is
// given (its alarm passes the real one), so these tests drive it with times an hour ahead — no real alarm fires
// while they run — and read what was sent, and when, from the outbound rows (their sent_at is the object's now).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "#worker/db";
import { MAX_HOLD_MS, QUIET_MS } from "#worker/whatsapp/burst";
import { acceptNotification } from "#worker/whatsapp/inbox";
import { handIn } from "#worker/whatsapp/number-object/hand-in";
import { NUMBER_SENDS_PER_SECOND, PAIR_BURST, PAIR_INTERVAL_MS } from "#worker/whatsapp/number-object/pacer";
import { AnswerSchedule } from "#worker/whatsapp/number-object/schedule";
import { numberObject } from "#worker/whatsapp/number-object/stub";
import { marker, openaiFake, received, script } from "../support/ai-helpers";
import { call } from "../support/helpers";
import {
  type Connected,
  connectedUser,
  customerNumber,
  inboundMessage,
  messageRow,
  notification,
  scriptGraph,
  sentFrom,
  signed,
} from "../support/whatsapp-helpers";

const SCRIPTED_MODEL = "openai/gpt-4o-mini";

/** A fake "now" an hour ahead of the real clock: the object's real alarms (set for then) never fire in a test. */
const fakeStart = () => Date.now() + 3_600_000;

/** One customer message reaching the webhook at fake time `at`: recorded, then handed to the number's object. */
async function arrive(user: Connected, from: string, body: string, at: number) {
  const message = inboundMessage({ from, body, timestamp: at });
  const raw = JSON.stringify(notification(user.phoneNumberId, { messages: [message] }));
  const bytes = new TextEncoder().encode(raw);
  const { refs } = await acceptNotification(env, getDb(env.DB), bytes, await signed(user.appSecret, raw), at);
  await handIn(env, refs, at);
  return message;
}

const run = (user: Connected, at: number) => numberObject(env, user.phoneNumberId).run(at);

/** When the number's object will wake next (its alarm), or null. */
const alarmOf = (user: Connected) =>
  runInDurableObject(numberObject(env, user.phoneNumberId), (_, state) => state.storage.getAlarm());

/** The object restarts: a fresh instance's memory over the same storage. */
const restart = (user: Connected) =>
  runInDurableObject(numberObject(env, user.phoneNumberId), (instance, state) => {
    instance.schedule = new AnswerSchedule(state, env);
  });

/** What was sent to the contacts of this account, oldest first, with the object's time of each send. */
async function sends(accountId: string) {
  const { results } = await env.DB.prepare(
    `SELECT o.id, o.sent_at, o.related_id, o.contact_hash FROM whatsapp_messages o
     WHERE o.account_id = ? AND o.direction = 'out' ORDER BY o.sent_at, o.created_at`,
  )
    .bind(accountId)
    .all<{ id: string; sent_at: number; related_id: string; contact_hash: string }>();
  return results;
}

const promptOf = async (tag: string) => {
  const [request] = await received(openaiFake(), tag);
  return JSON.parse(request!.body).messages as { role: string; content: string }[];
};

describe("pacing to Meta's limits", () => {
  it("spaces the messages to one contact by the pair limit after a small burst, and a restart forgets nothing", async () => {
    const user = await connectedUser({ model: SCRIPTED_MODEL });
    const tag = marker("long");
    // Six paragraphs of ~4,000 characters: six messages to one contact.
    const paragraphs = Array.from({ length: 6 }, (_, i) => `Part ${i}. ${"word ".repeat(790).trim()}`);
    await script(openaiFake(), { match: tag, reply: paragraphs.join("\n\n") });
    const t0 = fakeStart();
    const m = await arrive(user, customerNumber(), `Tell me everything ${tag}`, t0);
    const first = t0 + QUIET_MS;
    expect(await alarmOf(user)).toBe(first);

    await run(user, first);
    expect((await sends(user.accountId)).map((s) => s.sent_at)).toEqual(Array(PAIR_BURST).fill(first));
    // The rest waits for the pacer, scheduled in the object (its alarm), not in a sleeping request.
    expect(await alarmOf(user)).toBe(first + PAIR_INTERVAL_MS);
    expect((await messageRow(user.accountId, m.id))!.status).toBe("pending");

    await restart(user);
    await run(user, first + PAIR_INTERVAL_MS - 1);
    expect(await sends(user.accountId)).toHaveLength(PAIR_BURST);
    // Its alarms, as they would fire: each at the time the object asked for.
    let at = await alarmOf(user);
    while (at !== null) {
      await run(user, at);
      at = await alarmOf(user);
    }
    const times = (await sends(user.accountId)).map((s) => s.sent_at - first);
    expect(times).toEqual([0, 0, 0, 6_000, 12_000, 18_000]);
    // The last alarm came once the contact was rested: the object keeps no contact hash after that.
    const kept = await runInDurableObject(numberObject(env, user.phoneNumberId), (_, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM pacer_pairs").one(),
    );
    expect(kept.n).toBe(0);
    expect((await sentFrom(user.phoneNumberId)).map((s) => s.text.slice(0, 7))).toEqual(
      paragraphs.map((p) => p.slice(0, 7)),
    );
    expect(await messageRow(user.accountId, m.id)).toMatchObject({ status: "replied", attempts: 1 });
  });

  it("caps the number's sends per second across contacts, and lets the next second through", async () => {
    const user = await connectedUser();
    const t0 = fakeStart();
    const granted = await runInDurableObject(numberObject(env, user.phoneNumberId), (instance) => {
      const pacer = instance.schedule.pacer;
      const contacts = Array.from({ length: NUMBER_SENDS_PER_SECOND + 5 }, (_, i) => `contact-${i}`);
      const now = contacts.map((c, i) => pacer.reserve(c, t0 + i)); // one send a millisecond
      const later = contacts.slice(NUMBER_SENDS_PER_SECOND).map((c) => pacer.reserve(c, t0 + 1_000));
      return { now, later };
    });
    const inTime = granted.now.filter((at, i) => at === t0 + i);
    expect(inTime).toHaveLength(NUMBER_SENDS_PER_SECOND);
    // The 81st send in the same second waits until the first one's second is over…
    expect(granted.now.slice(NUMBER_SENDS_PER_SECOND)).toEqual(Array(5).fill(t0 + 1_000));
    // …when one slot opens (the send at t0 left the window); the next opens a millisecond later.
    expect(granted.later).toEqual([t0 + 1_000, ...Array(4).fill(t0 + 1_001)]);
  });

  it("a 131056 from Meta holds that contact back in the pacer: the retry and the next reply wait their turn", async () => {
    const user = await connectedUser();
    const from = customerNumber();
    await scriptGraph(user.phoneNumberId, 400, 1, 131056);
    const t0 = fakeStart();
    const m1 = await arrive(user, from, "Are you open on Sunday?", t0);
    await run(user, t0 + QUIET_MS);
    const retryAt = t0 + QUIET_MS + 6_000;
    expect(await messageRow(user.accountId, m1.id)).toMatchObject({
      status: "pending",
      next_attempt_at: retryAt,
    });
    expect(await alarmOf(user)).toBe(retryAt);

    const m2 = await arrive(user, from, "And on Monday?", t0 + QUIET_MS + 500);
    await run(user, retryAt - 1);
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    await run(user, retryAt);
    // The retry goes first; after Meta's refusal the burst allowance is spent, so the next waits 6 s.
    expect((await sends(user.accountId)).map((s) => [s.related_id, s.sent_at])).toEqual([[m1.id, retryAt]]);
    expect(await alarmOf(user)).toBe(retryAt + PAIR_INTERVAL_MS);
    await run(user, retryAt + PAIR_INTERVAL_MS);
    expect((await sends(user.accountId)).map((s) => [s.related_id, s.sent_at])).toEqual([
      [m1.id, retryAt],
      [m2.id, retryAt + PAIR_INTERVAL_MS],
    ]);
  });

  it("a 130429 from Meta holds the whole number back: another contact's reply waits for the same second", async () => {
    const user = await connectedUser();
    await scriptGraph(user.phoneNumberId, 400, 1, 130429);
    const t0 = fakeStart();
    const x = await arrive(user, customerNumber(), "Hello?", t0);
    await run(user, t0 + QUIET_MS);
    const until = t0 + QUIET_MS + 1_000;
    expect((await messageRow(user.accountId, x.id))!.next_attempt_at).toBe(until);
    const y = await arrive(user, customerNumber(), "Hi there", t0 + 500);
    await run(user, t0 + 500 + QUIET_MS);
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    expect((await messageRow(user.accountId, y.id))!.next_attempt_at).toBe(until);
    await run(user, until);
    expect((await sends(user.accountId)).map((s) => s.sent_at)).toEqual([until, until]);
  });
});

describe("a burst from one contact", () => {
  for (const logging of [false, true]) {
    it(`is answered once, in order, after the quiet period (content logging ${logging ? "on" : "off"})`, async () => {
      const user = await connectedUser({ model: SCRIPTED_MODEL });
      if (logging) {
        await call("/api/settings/privacy", {
          method: "PUT",
          body: { contentLogging: true, retentionDays: 7 },
          cookie: user.cookie,
        });
      }
      const tag = marker("burst");
      await script(openaiFake(), { match: tag, reply: "We deliver within two days." });
      const from = customerNumber();
      const t0 = fakeStart();
      const words = [`Hi ${tag}`, "I ordered a cake yesterday", "when will it arrive?"];
      const messages = [];
      for (const [i, text] of words.entries()) messages.push(await arrive(user, from, text, t0 + i * 100));
      const quietEnds = t0 + 200 + QUIET_MS;
      expect(await alarmOf(user)).toBe(quietEnds);

      await run(user, quietEnds - 1);
      expect(await received(openaiFake(), tag)).toEqual([]);
      await run(user, quietEnds);
      const asked = await received(openaiFake(), tag);
      expect(asked).toHaveLength(1);
      const prompt = await promptOf(tag);
      expect(prompt.at(-1)).toEqual({ role: "user", content: words.join("\n") });
      expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
      const last = messages.at(-1)!.id;
      expect(await messageRow(user.accountId, last)).toMatchObject({ status: "replied" });
      for (const m of messages.slice(0, -1))
        expect(await messageRow(user.accountId, m.id)).toMatchObject({ status: "merged", related_id: last });
      const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM whatsapp_pending WHERE account_id = ?")
        .bind(user.accountId)
        .first<{ n: number }>())!;
      expect(n).toBe(0);
    });
  }

  it("a contact who never stops typing is answered MAX_HOLD_MS after the first message", async () => {
    const user = await connectedUser();
    const from = customerNumber();
    const t0 = fakeStart();
    for (let at = t0; at <= t0 + MAX_HOLD_MS; at += QUIET_MS - 1)
      await arrive(user, from, `typing ${at}`, at);
    expect(await alarmOf(user)).toBe(t0 + MAX_HOLD_MS);
    await run(user, t0 + MAX_HOLD_MS);
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
  });

  it("STOP at the end of a burst is honoured first: the model sees none of it", async () => {
    const user = await connectedUser({ model: SCRIPTED_MODEL });
    const tag = marker("stopped");
    const from = customerNumber();
    const t0 = fakeStart();
    await arrive(user, from, `What is the price? ${tag}`, t0);
    await arrive(user, from, "STOP", t0 + 100);
    await run(user, t0 + 100 + QUIET_MS);
    expect(await received(openaiFake(), tag)).toEqual([]);
    const sent = await sentFrom(user.phoneNumberId);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(/not get any more messages/);
  });

  it("STOP while an earlier reply waits for its retry takes effect at once; other messages keep their place", async () => {
    const user = await connectedUser();
    const from = customerNumber();
    await scriptGraph(user.phoneNumberId, 500, 1);
    const t0 = fakeStart();
    const m1 = await arrive(user, from, "Do you deliver?", t0);
    await run(user, t0 + QUIET_MS);
    const retryAt = (await messageRow(user.accountId, m1.id))!.next_attempt_at!;
    const m2 = await arrive(user, from, "Hello?", t0 + 4_000);
    await arrive(user, from, "STOP", t0 + 4_100);
    expect(await alarmOf(user)).toBe(t0 + 4_100 + QUIET_MS);
    await run(user, t0 + 4_100 + QUIET_MS);
    const sent = await sentFrom(user.phoneNumberId);
    expect(sent.map((m) => m.text)).toEqual([expect.stringMatching(/not get any more messages/)]);
    expect((await messageRow(user.accountId, m2.id))!.status).toBe("pending");
    expect(await alarmOf(user)).toBe(retryAt);
    await run(user, retryAt);
    expect((await messageRow(user.accountId, m2.id))!.status).toBe("opted_out");
  });

  it("a message sent while an answer is being made is answered after it, with that exchange in context", async () => {
    const user = await connectedUser({ model: SCRIPTED_MODEL });
    await call("/api/settings/privacy", {
      method: "PUT",
      body: { contentLogging: true, retentionDays: 7 },
      cookie: user.cookie,
    });
    const [slow, next] = [marker("slow"), marker("next")];
    await script(openaiFake(), { match: slow, reply: "Our shop opens at 8.", delayMs: 1_500 });
    await script(openaiFake(), { match: next, reply: "Yes, on Sundays too." });
    const from = customerNumber();
    const t0 = fakeStart();
    await arrive(user, from, `When do you open? ${slow}`, t0);
    const answering = run(user, t0 + QUIET_MS);
    const second = await arrive(user, from, `Also on Sundays? ${next}`, t0 + QUIET_MS + 10);
    await answering;
    expect((await sentFrom(user.phoneNumberId)).map((s) => s.text)).toEqual(["Our shop opens at 8."]);
    expect(await alarmOf(user)).toBe(t0 + QUIET_MS + 10 + QUIET_MS);
    await run(user, t0 + QUIET_MS + 10 + QUIET_MS);
    const prompt = await promptOf(next);
    expect(prompt.filter((t) => t.role !== "system")).toEqual([
      { role: "user", content: `When do you open? ${slow}` },
      { role: "assistant", content: "Our shop opens at 8." },
      { role: "user", content: `Also on Sundays? ${next}` },
    ]);
    expect((await sentFrom(user.phoneNumberId)).map((s) => s.text)).toEqual([
      "Our shop opens at 8.",
      "Yes, on Sundays too.",
    ]);
    expect((await messageRow(user.accountId, second.id))!.status).toBe("replied");
  });

  it("a message whose answer was cut short by a restart is taken over when its lease ends", async () => {
    const user = await connectedUser();
    const t0 = fakeStart();
    const m = await arrive(user, customerNumber(), "Is the bakery open?", t0);
    // The object died mid-answer: the message is held under a lease, and the object's memory is gone.
    const leaseUntil = t0 + 60_000;
    await env.DB.prepare(
      "UPDATE whatsapp_messages SET status = 'processing', lease_until = ?, attempts = 1 WHERE id = ?",
    )
      .bind(leaseUntil, m.id)
      .run();
    await restart(user);
    await run(user, t0 + QUIET_MS);
    expect(await sentFrom(user.phoneNumberId)).toEqual([]);
    expect(await alarmOf(user)).toBe(leaseUntil);
    await restart(user);
    await run(user, leaseUntil + 1);
    expect(await sentFrom(user.phoneNumberId)).toHaveLength(1);
    expect((await messageRow(user.accountId, m.id))!.status).toBe("replied");
  });
});
