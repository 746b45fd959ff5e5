// Deletion while a proxied stream is in flight: the stream's after-work (usage row, logged content) runs
// after the tombstone — before or even after the erasure — and must leave nothing of the account behind.
import {
  createExecutionContext,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "#worker/index";
import { DELETION_STATE, type DeletionState, erasureBegun } from "#worker/privacy/deletion/state";
import { marker, openaiFake, script, usageRows } from "../support/ai-helpers";
import { call, newKeyUser, ORIGIN, PASSWORD, verifyEmail } from "../support/helpers";
import { settle } from "../support/privacy-drive";

const CLASSES = ["1d", "7d", "30d", "90d"];

async function contentObjects(accountId: string): Promise<number> {
  let n = 0;
  for (const c of CLASSES)
    n += (await env.CONTENT.list({ prefix: `content/${c}/${accountId}/` })).objects.length;
  return n;
}

async function usageInD1(accountId: string): Promise<number> {
  // Flushed rows: their sums in D1's hourly aggregates (the rows themselves join the object's request log).
  const row = await env.DB.prepare(
    "SELECT coalesce(sum(requests), 0) AS n FROM usage_hourly WHERE account_id = ?",
  )
    .bind(accountId)
    .first<{ n: number }>();
  return row!.n;
}

/** Rows still waiting in the account object's usage buffer. */
function buffered(accountId: string): Promise<number> {
  return runInDurableObject(env.ACCOUNT.getByName(accountId), (_instance, state) => {
    const sql = state.storage.sql;
    const table = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'usage_buffer'");
    if (table.toArray().length === 0) return 0;
    return sql.exec<{ n: number }>("SELECT count(*) AS n FROM usage_buffer").one().n;
  });
}

/** A logged-on account whose logging is proven to work: one exchange stored, one usage row. */
async function loggingUser() {
  const user = await newKeyUser();
  await verifyEmail(user.email, user.cookie); // keeping content needs a proven address
  const put = await call("/api/settings/privacy", {
    method: "PUT",
    body: { contentLogging: true },
    cookie: user.cookie,
  });
  expect(put.status).toBe(200);
  const ctx = createExecutionContext();
  const res = await worker.fetch(chat(user.key, "dev/echo", "baseline", false), env, ctx);
  expect(res.status).toBe(200);
  await res.text();
  await waitOnExecutionContext(ctx);
  expect(await usageRows(user.id, 1)).toHaveLength(1);
  expect(await contentObjects(user.id)).toBe(1);
  return user;
}

function chat(key: string, model: string, content: string, stream: boolean): Request {
  return new Request(`${ORIGIN}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, stream, messages: [{ role: "user", content }] }),
  });
}

/** Starts a slow stream through the fake OpenAI provider and reads its first chunk. */
async function startStream(key: string) {
  const m = marker("inflight");
  await script(openaiFake(), {
    match: m,
    chunkDelayMs: 60,
    reply: "one two three four five six seven eight",
  });
  const ctx = createExecutionContext();
  const res = await worker.fetch(chat(key, "openai/gpt-4o-mini", m, true), env, ctx);
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  expect((await reader.read()).done).toBe(false);
  return {
    async finish(): Promise<string> {
      let text = "";
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      await waitOnExecutionContext(ctx);
      return text;
    },
  };
}

async function requestDeletion(cookie: string): Promise<string> {
  const res = await call("/api/privacy/requests", { body: { type: "deletion", password: PASSWORD }, cookie });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/** Whatever the account object might still do on its own: flush the buffer, run a due alarm. */
async function drainAccountObject(accountId: string): Promise<void> {
  const stub = env.ACCOUNT.getByName(accountId);
  await stub.flushUsage();
  await runDurableObjectAlarm(stub);
}

async function expectNothingLeft(accountId: string): Promise<void> {
  await drainAccountObject(accountId);
  expect(await contentObjects(accountId)).toBe(0);
  expect(await usageInD1(accountId)).toBe(0);
  expect(await buffered(accountId)).toBe(0);
}

/** A stream that ended: completed, or stopped because the account's key was erased with it. */
const ENDED = /\[DONE\]|was revoked during the stream/;

describe("deletion while a stream is in flight", () => {
  it("the stream ends right after the tombstone, racing the erasure: nothing of it remains", async () => {
    const user = await loggingUser();
    const stream = await startStream(user.key);
    const requestId = await requestDeletion(user.cookie);
    // The client receives what it was already being sent, to its end or to the error event that ends a stream
    // whose key went away (ADR 009); the after-work then races the erasure.
    expect(await stream.finish()).toMatch(ENDED);
    expect(await settle(user.id, requestId)).toBe("completed");
    await expectNothingLeft(user.id);
  });

  it("the stream ends after the erasure completed: its usage row and content are not written", async () => {
    const user = await loggingUser();
    const stream = await startStream(user.key);
    const requestId = await requestDeletion(user.cookie);
    expect(await settle(user.id, requestId)).toBe("completed");
    expect(await contentObjects(user.id)).toBe(0);
    expect(await stream.finish()).toMatch(ENDED);
    await expectNothingLeft(user.id);
  });

  it("erases a usage row still buffered in the account object when the steps run", async () => {
    const user = await newKeyUser();
    const ctx = createExecutionContext();
    const res = await worker.fetch(chat(user.key, "dev/echo", "buffered", false), env, ctx);
    expect(res.status).toBe(200);
    await res.text();
    await waitOnExecutionContext(ctx);
    // The row waits in the object's buffer (flushed by the alarm a second later), not yet in D1.
    expect(await buffered(user.id)).toBe(1);
    expect(await usageInD1(user.id)).toBe(0);
    const requestId = await requestDeletion(user.cookie);
    expect(await settle(user.id, requestId)).toBe("completed");
    await expectNothingLeft(user.id);
  });

  it("keeps accepting usage within a grace period, and refuses it once erasure has begun", async () => {
    const now = Date.now();
    const state = (patch: Partial<DeletionState>): DeletionState => ({
      requestId: "r",
      accountId: "a",
      subject: "s",
      email: null,
      origin: ORIGIN,
      token: "t",
      requestedAt: now,
      executeAfter: now + 3_600_000,
      step: 0,
      cursor: null,
      erased: {},
      done: false,
      ...patch,
    });
    // A scratch object: no account behind it, no alarm armed, so nothing runs on its own.
    const verdicts = await runInDurableObject(env.ACCOUNT.getByName(crypto.randomUUID()), async (_i, ctx) => {
      const seen: boolean[] = [await erasureBegun(ctx.storage, now)];
      for (const patch of [{}, { executeAfter: now }, { step: 1 }, { done: true }]) {
        await ctx.storage.put(DELETION_STATE, state(patch));
        seen.push(await erasureBegun(ctx.storage, now));
      }
      return seen;
    });
    // No deletion; in the grace period; grace over; a step done; finished.
    expect(verdicts).toEqual([false, false, true, true, true]);
  });
});
