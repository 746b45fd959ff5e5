// R2 fails while logged content is captured: the API answer is the same, no plaintext is left anywhere
// (R2, D1, the account's object), the failure is counted, and the next exchange is captured once R2 is back.
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { failureCountsNow } from "#worker/failure-counts";
import worker from "#worker/index";
import { marker, usageRows } from "../support/ai-helpers";
import { expectConsoleError } from "../support/console-errors";
import { envWith, fault, r2FailingPut } from "../support/faults";
import { call, newKeyUser, ORIGIN, verifyEmail } from "../support/helpers";

const CLASSES = ["1d", "7d", "30d", "90d"];

async function contentObjects(accountId: string): Promise<number> {
  let n = 0;
  for (const c of CLASSES)
    n += (await env.CONTENT.list({ prefix: `content/${c}/${accountId}/` })).objects.length;
  return n;
}

function chat(key: string, content: string): Request {
  return new Request(`${ORIGIN}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "dev/echo", messages: [{ role: "user", content }] }),
  });
}

async function send(testEnv: Env, key: string, content: string) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(chat(key, content), testEnv, ctx);
  const body = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, body };
}

/** Every row of every D1 table, as text: where a leaked plaintext would show. */
async function allOfD1(): Promise<string> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'",
  ).all<{ name: string }>();
  const parts: string[] = [];
  for (const { name } of results) {
    const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    parts.push(JSON.stringify(rows.results));
  }
  return parts.join("\n");
}

/** Everything in the account object's storage (key-value and SQL), as text. */
function allOfObject(accountId: string): Promise<string> {
  return runInDurableObject(env.ACCOUNT.getByName(accountId), async (_i, ctx) => {
    const kv = JSON.stringify([...(await ctx.storage.list()).entries()]);
    const tables = ctx.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'")
      .toArray();
    const rows = tables.map(({ name }) =>
      JSON.stringify(ctx.storage.sql.exec(`SELECT * FROM "${name}"`).toArray()),
    );
    return [kv, ...rows].join("\n");
  });
}

describe("R2 fails during content capture", () => {
  it("answers as usual, leaves no plaintext anywhere, counts the failure; the next exchange is captured", async () => {
    expectConsoleError(/content capture failed/); // the provoked R2 failure
    const user = await newKeyUser();
    await verifyEmail(user.email, user.cookie); // keeping content needs a proven address
    const put = await call("/api/settings/privacy", {
      method: "PUT",
      body: { contentLogging: true },
      cookie: user.cookie,
    });
    expect(put.status).toBe(200);
    const before = (await failureCountsNow(env)).content_capture ?? 0;

    const secret = marker("plaintext");
    const r2Down = fault(/^content\//);
    const faulty = envWith({ CONTENT: r2FailingPut(env.CONTENT, r2Down) });
    const failed = await send(faulty, user.key, secret);
    const normal = await send(env, user.key, marker("reference"));

    // The user sees the same answer as with R2 up: 200 with the completion.
    expect(r2Down.hits).toBe(1);
    expect(failed.status).toBe(200);
    expect(normal.status).toBe(200);
    expect(failed.body).toContain(secret);
    const shape = (body: string) => Object.keys(JSON.parse(body) as object).sort();
    expect(shape(failed.body)).toEqual(shape(normal.body));

    // Metered as usual; only the content was dropped, and counted.
    expect(await usageRows(user.id, 2)).toHaveLength(2);
    expect(await contentObjects(user.id)).toBe(1); // the second exchange's, once R2 was back
    expect((await failureCountsNow(env)).content_capture).toBe(before + 1);

    // Nowhere in the clear: not in R2 (any prefix), not in D1, not in the account's object.
    const listed = await env.CONTENT.list({ include: ["customMetadata"] });
    for (const object of listed.objects) {
      const text = await (await env.CONTENT.get(object.key))!.text();
      expect(text, object.key).not.toContain(secret);
    }
    expect(await allOfD1()).not.toContain(secret);
    expect(await allOfObject(user.id)).not.toContain(secret);
  });
});
