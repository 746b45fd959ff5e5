// P5/P10: a unique marker sent through every route that handles content must appear in no console
// output and nowhere in storage — D1 (every table), R2 (every object), the account's Durable Object —
// except, with logging on, inside ciphertext that only the account's data key opens.
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { accountDataKey } from "#worker/content/data-keys";
import { openExchange } from "#worker/content/store";
import worker from "#worker/index";
import { call, newKeyUser, ORIGIN, verifyEmail } from "../support/helpers";
import {
  connectedUser,
  customerNumber,
  deliverSigned,
  inboundMessage,
  notification,
  sentFrom,
} from "../support/whatsapp-helpers";

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;
let spies: MockInstance[] = [];
let printed: string[] = [];

beforeEach(() => {
  printed = [];
  spies = CONSOLE_METHODS.map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      printed.push(
        args.map((a) => (a instanceof Error ? `${a.name} ${a.message} ${a.stack}` : String(a))).join(" "),
      );
    }),
  );
});
afterEach(() => {
  for (const spy of spies) spy.mockRestore();
});

/** Calls the Worker with our own execution context, reads the whole body, and waits for its background work. */
async function send(path: string, key: string, body: unknown): Promise<{ status: number; text: string }> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    env,
    ctx,
  );
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, text };
}

function requests(mark: string): [string, unknown][] {
  const messages = [{ role: "user", content: `Please repeat ${mark}` }];
  return [
    ["/v1/chat/completions", { model: "dev/echo", messages }],
    ["/v1/chat/completions", { model: "dev/echo", messages, stream: true }],
    ["/v1/messages", { model: "dev/echo", max_tokens: 64, messages }],
    ["/v1/messages", { model: "dev/echo", max_tokens: 64, messages, stream: true }],
    ["/v1/embeddings", { model: "dev/embed", input: `Please embed ${mark}` }],
  ];
}

async function setLogging(cookie: string, on: boolean) {
  const res = await call("/api/settings/privacy", {
    method: "PUT",
    body: { contentLogging: on, trainingConsent: on },
    cookie,
  });
  expect(res.status).toBe(200);
}

/** Every row of every D1 table, as text, per table. */
async function d1Dump(): Promise<Map<string, string>> {
  const { results: tables } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  const dump = new Map<string, string>();
  for (const { name } of tables) {
    const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    dump.set(name, JSON.stringify(results));
  }
  return dump;
}

/** Every R2 object's bytes, read as latin1 so any plaintext run is visible. */
async function r2Dump(): Promise<Map<string, string>> {
  const dump = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await env.CONTENT.list({ cursor, include: ["customMetadata", "httpMetadata"] });
    for (const object of page.objects) {
      const body = await env.CONTENT.get(object.key);
      const bytes = new Uint8Array(await body!.arrayBuffer());
      dump.set(
        object.key,
        `${JSON.stringify(object.customMetadata)}${new TextDecoder("latin1").decode(bytes)}`,
      );
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return dump;
}

/** The account Durable Object's key-value storage and SQL tables, as text. */
async function doDump(accountId: string): Promise<string> {
  return runInDurableObject(env.ACCOUNT.getByName(accountId), async (_instance, state) => {
    const kv = JSON.stringify([...(await state.storage.list()).entries()]);
    const tables = state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'")
      .toArray();
    const rows = tables.map((t) =>
      JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${t.name}"`).toArray()),
    );
    return kv + rows.join("");
  });
}

function expectNowhere(mark: string, where: Map<string, string>, what: string) {
  const hits = [...where].filter(([, text]) => text.includes(mark)).map(([name]) => name);
  expect(hits, `${mark} found in ${what}`).toEqual([]);
}

async function sendEverything(logging: boolean) {
  const mark = `NOCONTENT-${crypto.randomUUID()}`;
  const user = await newKeyUser();
  // Content logging and training consent need a verified address (ADR 009).
  await verifyEmail(user.email, user.cookie);
  await setLogging(user.cookie, logging);
  for (const [path, body] of requests(mark)) {
    const res = await send(path, user.key, body);
    expect(res.status, `${path} ${res.text.slice(0, 200)}`).toBe(200);
  }
  const wa = await connectedUser();
  await setLogging(wa.cookie, logging);
  const from = customerNumber();
  const inbound = await deliverSigned(
    wa.appSecret,
    notification(wa.phoneNumberId, { messages: [inboundMessage({ from, body: `WhatsApp says ${mark}` })] }),
  );
  expect(inbound.status).toBe(200);
  expect((await sentFrom(wa.phoneNumberId)).length).toBeGreaterThan(0); // it was answered
  return { mark, user, wa };
}

async function decryptedMarks(accountId: string, mark: string): Promise<number> {
  const key = await accountDataKey(env, accountId, { create: false });
  if (!key) return 0;
  let found = 0;
  for (const days of [1, 7, 30, 90]) {
    const page = await env.CONTENT.list({ prefix: `content/${days}d/${accountId}/` });
    for (const object of page.objects) {
      const body = await env.CONTENT.get(object.key);
      const opened = await openExchange(object.key, new Uint8Array(await body!.arrayBuffer()), key);
      if (`${opened.request}${opened.response}`.includes(mark)) found += 1;
    }
  }
  return found;
}

describe("no content in logs or storage", () => {
  it("with logging off: the marker is nowhere — not in console output, D1, R2 or the Durable Object", async () => {
    const { mark, user, wa } = await sendEverything(false);
    expect(printed.filter((line) => line.includes(mark))).toEqual([]);
    expectNowhere(mark, await d1Dump(), "D1");
    expectNowhere(mark, await r2Dump(), "R2");
    expect(await doDump(user.id)).not.toContain(mark);
    expect(await doDump(wa.accountId)).not.toContain(mark);
    expect(await decryptedMarks(user.id, mark)).toBe(0);
    expect(await decryptedMarks(wa.accountId, mark)).toBe(0);
  });

  it("with logging on: the marker is stored only as ciphertext that the account's key opens", async () => {
    const { mark, user, wa } = await sendEverything(true);
    expect(printed.filter((line) => line.includes(mark))).toEqual([]);
    expectNowhere(mark, await d1Dump(), "D1");
    expectNowhere(mark, await r2Dump(), "R2");
    expect(await doDump(user.id)).not.toContain(mark);
    expect(await doDump(wa.accountId)).not.toContain(mark);
    // Every route's content was captured, and decrypts with the account's key.
    expect(await decryptedMarks(user.id, mark)).toBe(requests(mark).length);
    expect(await decryptedMarks(wa.accountId, mark)).toBeGreaterThan(0);
  });
});
