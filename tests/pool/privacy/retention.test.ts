// Content logging, encryption at rest, crypto-shredding and the retention sweep, against real R2, D1 and DOs.
import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { captureExchange, type Exchange, loggingPolicy } from "#worker/content/capture";
import { accountDataKey, forgetDataKey } from "#worker/content/data-keys";
import { lifecycleRules } from "#worker/content/layout";
import { rewrapDataKeys } from "#worker/content/rewrap";
import { openExchange } from "#worker/content/store";
import { sweepExpiredContent } from "#worker/content/sweep";
import { open, seal } from "#worker/crypto/chunked";
import { newWrappedDataKey, rewrapDataKey, unwrapDataKey } from "#worker/crypto/data-key";
import { masterKeys } from "#worker/crypto/master-key";
import { getDb } from "#worker/db";
import { scheduled } from "#worker/scheduled";
import { changePrivacySettings } from "#worker/settings/service";
import { DAY_MS } from "#worker/time";
import { call, expectError, newVerifiedUser } from "../support/helpers";

const marker = () => `MARK-${crypto.randomUUID()}`;

function exchange(accountId: string, text: string, over: Partial<Exchange> = {}): Exchange {
  return {
    accountId,
    requestId: `req_${crypto.randomUUID().replaceAll("-", "")}`,
    source: "chat.completions",
    model: "dev/echo",
    request: JSON.stringify({ model: "dev/echo", messages: [{ role: "user", content: text }] }),
    response: JSON.stringify({ choices: [{ message: { role: "assistant", content: `echo: ${text}` } }] }),
    createdAt: new Date(),
    ...over,
  };
}

async function userWith(settings: Record<string, unknown>) {
  const user = await newVerifiedUser(); // keeping content needs a proven address
  if (Object.keys(settings).length) {
    const res = await call("/api/settings/privacy", { method: "PUT", body: settings, cookie: user.cookie });
    expect(res.status).toBe(200);
  }
  return user;
}

async function objectsOf(accountId: string) {
  const out: R2Object[] = [];
  for (const days of [1, 7, 30, 90]) {
    const page = await env.CONTENT.list({
      prefix: `content/${days}d/${accountId}/`,
      include: ["customMetadata"],
    });
    out.push(...page.objects);
  }
  return out;
}

async function bytesOf(key: string) {
  const body = await env.CONTENT.get(key);
  if (!body) throw new Error(`missing ${key}`);
  return new Uint8Array(await body.arrayBuffer());
}

const contains = (bytes: Uint8Array, text: string) => new TextDecoder("latin1").decode(bytes).includes(text);

describe("content logging", () => {
  it("off by default: a capture stores nothing", async () => {
    const { id } = await newVerifiedUser();
    expect(await loggingPolicy(env, id)).toEqual({
      enabled: false,
      retentionDays: 30,
      trainingConsent: false,
      dataPolicy: "any",
    });
    await captureExchange(env, exchange(id, marker()));
    expect(await objectsOf(id)).toEqual([]);
    // No data key was even created for the account.
    expect(await accountDataKey(env, id, { create: false })).toBeNull();
  });

  it("on: stores ciphertext under the retention prefix, metadata without content, decryptable with the account key", async () => {
    const { id } = await userWith({ contentLogging: true, retentionDays: 7 });
    const text = marker();
    const ex = exchange(id, text, { createdAt: new Date("2026-11-29T10:00:00Z") });
    await captureExchange(env, ex);
    const [object, ...more] = await objectsOf(id);
    expect(more).toEqual([]);
    expect(object!.key).toBe(`content/7d/${id}/2026-11-29/${ex.requestId}`);
    expect(object!.customMetadata).toEqual({
      acct: id,
      keyVer: "1",
      consent: "0",
      source: "chat.completions",
    });
    const sealed = await bytesOf(object!.key);
    expect(contains(sealed, text)).toBe(false);
    expect(contains(sealed, "dev/echo")).toBe(false);
    const key = await accountDataKey(env, id, { create: false });
    const opened = await openExchange(object!.key, sealed, key!);
    expect(opened).toMatchObject({
      requestId: ex.requestId,
      request: ex.request,
      response: ex.response,
      model: "dev/echo",
    });
  });

  it("turning logging off takes effect at once, even in the same isolate's cache", async () => {
    const { id, cookie } = await userWith({ contentLogging: true });
    expect((await loggingPolicy(env, id)).enabled).toBe(true);
    await call("/api/settings/privacy", { method: "PUT", body: { contentLogging: false }, cookie });
    expect((await loggingPolicy(env, id)).enabled).toBe(false);
    await captureExchange(env, exchange(id, marker()));
    expect(await objectsOf(id)).toEqual([]);
  });

  it("a changed retention applies to new content", async () => {
    const { id, cookie } = await userWith({ contentLogging: true, retentionDays: 90 });
    await captureExchange(env, exchange(id, marker()));
    await call("/api/settings/privacy", { method: "PUT", body: { retentionDays: 1 }, cookie });
    await captureExchange(env, exchange(id, marker()));
    const prefixes = (await objectsOf(id)).map((o) => o.key.split("/")[1]).sort();
    expect(prefixes).toEqual(["1d", "90d"]);
  });

  it("large content is sealed in chunks and round-trips", async () => {
    const { id } = await userWith({ contentLogging: true });
    const big = `${marker()}${"x".repeat(300_000)}${marker()}`;
    await captureExchange(env, exchange(id, big));
    const [object] = await objectsOf(id);
    const sealed = await bytesOf(object!.key);
    expect(sealed.length).toBeGreaterThan(300_000);
    const opened = await openExchange(
      object!.key,
      sealed,
      (await accountDataKey(env, id, { create: false }))!,
    );
    expect(JSON.parse(opened.request).messages[0].content).toBe(big);
  });

  it("tampering, truncation, reordering or moving an object makes it fail to decrypt", async () => {
    const { id } = await userWith({ contentLogging: true });
    await captureExchange(env, exchange(id, "y".repeat(200_000)));
    const [object] = await objectsOf(id);
    const sealed = await bytesOf(object!.key);
    const key = (await accountDataKey(env, id, { create: false }))!;
    const flipped = sealed.slice();
    flipped[100] = flipped[100]! ^ 1;
    await expect(openExchange(object!.key, flipped, key)).rejects.toThrow();
    const chunk = 12 + 4 + 64 * 1024 + 16;
    await expect(openExchange(object!.key, sealed.slice(0, 4 + chunk), key)).rejects.toThrow();
    const swapped = new Uint8Array(sealed.length);
    swapped.set(sealed.subarray(0, 4));
    swapped.set(sealed.subarray(4 + chunk, 4 + 2 * chunk), 4);
    swapped.set(sealed.subarray(4, 4 + chunk), 4 + chunk);
    swapped.set(sealed.subarray(4 + 2 * chunk), 4 + 2 * chunk);
    await expect(openExchange(object!.key, swapped, key)).rejects.toThrow();
    const moved = object!.key.replace(/[^/]+$/, "req_other");
    await expect(openExchange(moved, sealed, key)).rejects.toThrow();
  });

  it("another account's key cannot open an account's content", async () => {
    const a = await userWith({ contentLogging: true });
    const b = await userWith({ contentLogging: true });
    await captureExchange(env, exchange(a.id, marker()));
    await captureExchange(env, exchange(b.id, marker()));
    const [object] = await objectsOf(a.id);
    const keyB = (await accountDataKey(env, b.id, { create: false }))!;
    await expect(openExchange(object!.key, await bytesOf(object!.key), keyB)).rejects.toThrow();
  });

  it("refuses to turn logging on when no MASTER_KEY is configured, changing nothing", async () => {
    const { id, cookie } = await newVerifiedUser();
    const db = getDb(env.DB);
    await expect(
      changePrivacySettings(db, { ...env, MASTER_KEY: "" }, id, { contentLogging: true }, "api"),
    ).rejects.toMatchObject({ status: 409 });
    await expect(
      changePrivacySettings(db, { ...env, MASTER_KEY: "dG9vLXNob3J0" }, id, { contentLogging: true }, "api"),
    ).rejects.toMatchObject({ status: 409 });
    const res = await call("/api/settings/privacy", { cookie });
    expect(await res.json()).toMatchObject({ contentLogging: false, updatedAt: null });
  });
});

describe("crypto-shredding", () => {
  it("destroying the data key makes every stored object undecryptable, and no new key is ever made", async () => {
    const { id } = await userWith({ contentLogging: true });
    await captureExchange(env, exchange(id, marker()));
    const [object] = await objectsOf(id);
    const stub = env.ACCOUNT.getByName(id);
    const wrapped = await stub.dataKey(id, false);
    expect(wrapped).not.toBeNull();
    // The DO stores only the wrapped form.
    await runInDurableObject(stub, async (_instance, state) => {
      const stored = await state.storage.get<{ wrapped: string }>("content:dataKey");
      expect(stored?.wrapped).toBe(wrapped!.wrapped);
    });

    // Crypto-shredding, as a deletion does it: the object destroys the key, the isolate forgets its copy.
    forgetDataKey(id);
    await stub.destroyDataKey(id);

    await runInDurableObject(stub, async (_instance, state) => {
      expect(await state.storage.get("content:dataKey")).toBeUndefined();
    });
    expect(await stub.dataKey(id, true)).toBeNull();
    expect(await accountDataKey(env, id, { create: true })).toBeNull();
    // A copy of the object kept anywhere stays ciphertext: no key exists that opens it.
    const copy = await bytesOf(object!.key);
    const stranger = {
      key: (await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
        "encrypt",
        "decrypt",
      ])) as CryptoKey,
      keyVer: 1,
    };
    await expect(openExchange(object!.key, copy, stranger)).rejects.toThrow();
    // Capturing after shredding stores nothing.
    await captureExchange(env, exchange(id, marker()));
    expect((await objectsOf(id)).length).toBe(1);
  });

  it("two first uses at once create one key, not two", async () => {
    const { id } = await userWith({ contentLogging: true });
    const stub = env.ACCOUNT.getByName(id);
    const keys = await Promise.all([1, 2, 3, 4].map(() => stub.dataKey(id, true)));
    expect(new Set(keys.map((k) => k!.wrapped)).size).toBe(1);
  });
});

describe("retention sweep", () => {
  it("deletes exactly what is past its time, and nothing else", async () => {
    const one = await userWith({ contentLogging: true, retentionDays: 1 });
    await captureExchange(env, exchange(one.id, marker()));
    const seven = await userWith({ contentLogging: true, retentionDays: 7 });
    await captureExchange(env, exchange(seven.id, marker()));
    await env.CONTENT.put(`exports/${one.id}/keep-me`, "not content");
    const [oneObject] = await objectsOf(one.id);
    const uploaded = oneObject!.uploaded.getTime();

    await sweepExpiredContent(env, new Date(uploaded + DAY_MS - 60_000));
    expect((await objectsOf(one.id)).length).toBe(1);

    await sweepExpiredContent(env, new Date(uploaded + DAY_MS + 1000));
    expect(await objectsOf(one.id)).toEqual([]);
    expect((await objectsOf(seven.id)).length).toBe(1);
    expect(await env.CONTENT.head(`exports/${one.id}/keep-me`)).not.toBeNull();

    await sweepExpiredContent(env, new Date(uploaded + 7 * DAY_MS + 1000));
    expect(await objectsOf(seven.id)).toEqual([]);
  });

  it("a shortened retention reaches content already stored at the next sweep", async () => {
    const { id, cookie } = await userWith({ contentLogging: true, retentionDays: 90 });
    await captureExchange(env, exchange(id, marker()));
    const [object] = await objectsOf(id);
    const twoDaysLater = new Date(object!.uploaded.getTime() + 2 * DAY_MS);
    await sweepExpiredContent(env, twoDaysLater);
    expect((await objectsOf(id)).length).toBe(1);
    await call("/api/settings/privacy", { method: "PUT", body: { retentionDays: 1 }, cookie });
    await sweepExpiredContent(env, twoDaysLater);
    expect(await objectsOf(id)).toEqual([]);
  });

  it("a lengthened retention never keeps content longer than allowed when it was logged", async () => {
    const { id, cookie } = await userWith({ contentLogging: true, retentionDays: 1 });
    await captureExchange(env, exchange(id, marker()));
    await call("/api/settings/privacy", { method: "PUT", body: { retentionDays: 90 }, cookie });
    const [object] = await objectsOf(id);
    await sweepExpiredContent(env, new Date(object!.uploaded.getTime() + DAY_MS + 1000));
    expect(await objectsOf(id)).toEqual([]);
  });

  it("runs from the cron trigger", async () => {
    const { id } = await userWith({ contentLogging: true, retentionDays: 1 });
    await captureExchange(env, exchange(id, marker()));
    const [object] = await objectsOf(id);
    const ctx = createExecutionContext();
    const controller = createScheduledController({
      cron: "*/5 * * * *",
      scheduledTime: object!.uploaded.getTime() + DAY_MS + 1000,
    });
    await scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await objectsOf(id)).toEqual([]);
  });

  it("the lifecycle rules expire each retention class by its own prefix, and exports after 4 days", () => {
    expect(
      lifecycleRules().rules.map((r) => [r.conditions.prefix, r.deleteObjectsTransition.condition.maxAge]),
    ).toEqual([
      ["content/1d/", 86_400],
      ["content/7d/", 7 * 86_400],
      ["content/30d/", 30 * 86_400],
      ["content/90d/", 90 * 86_400],
      ["exports/", 4 * 86_400],
    ]);
  });
});

describe("settings routes refuse without changing", () => {
  it("a refused PUT leaves logging off and stores nothing", async () => {
    const { id, cookie } = await newVerifiedUser();
    await expectError(
      await call("/api/settings/privacy", {
        method: "PUT",
        body: { contentLogging: true, retentionDays: 3 },
        cookie,
      }),
      400,
    );
    await captureExchange(env, exchange(id, marker()));
    expect(await objectsOf(id)).toEqual([]);
  });
});

describe("MASTER_KEY rotation", () => {
  const A = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  const B = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

  it("re-wraps the data key under the new master key; content sealed before opens unchanged", async () => {
    const accountId = "acct-rotation";
    const oldKeys = (await masterKeys({ MASTER_KEY: A }))!;
    const record = await newWrappedDataKey(oldKeys, accountId, 1);
    const context = "ctx";
    const plaintext = new TextEncoder().encode(marker());
    const sealed = await seal(await unwrapDataKey(record, oldKeys, accountId), context, plaintext);

    const during = (await masterKeys({ MASTER_KEY: B, MASTER_KEY_PREVIOUS: A }))!;
    const rewrapped = await rewrapDataKey(record, during, accountId);
    expect(rewrapped.kek).toBe(during.current.id);
    expect(rewrapped.kek).not.toBe(record.kek);
    expect(rewrapped.keyVer).toBe(1);

    const after = (await masterKeys({ MASTER_KEY: B }))!;
    const opened = await open(await unwrapDataKey(rewrapped, after, accountId), context, sealed);
    expect(opened).toEqual(plaintext);
    await expect(unwrapDataKey(record, after, accountId)).rejects.toThrow();
    // The wrap is bound to the account: a wrapped key moved to another account does not unwrap.
    await expect(unwrapDataKey(rewrapped, after, "another-account")).rejects.toThrow();
  });

  it("the cron job re-wraps keys recorded under another master key", async () => {
    const { id } = await userWith({ contentLogging: true });
    await captureExchange(env, exchange(id, marker()));
    const current = (await masterKeys(env))!.current.id;
    const kekOf = async () =>
      (
        await env.DB.prepare("SELECT data_key_kek AS kek FROM privacy_settings WHERE account_id = ?")
          .bind(id)
          .first<{ kek: string | null }>()
      )?.kek;
    expect(await kekOf()).toBe(current);
    await env.DB.prepare("UPDATE privacy_settings SET data_key_kek = 'retired' WHERE account_id = ?")
      .bind(id)
      .run();
    expect(await rewrapDataKeys(env)).toBeGreaterThanOrEqual(1);
    expect(await kekOf()).toBe(current);
  });
});
