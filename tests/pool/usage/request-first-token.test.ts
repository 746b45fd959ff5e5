// Time to first token per request (issue 25): metered from when the answer began to reach the client, kept in
// the request log's window and sealed segments (appended to the stored tuple, so older segments still read),
// shown by /api/requests, its CSV, the data export and the dashboard's request list and detail.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { createMemoryRouter, RouterProvider } from "react-router";
import { describe, expect, it } from "vitest";
import { AccountHost } from "#worker/account-object/host";
import { seal } from "#worker/crypto/chunked";
import { openSegment, sealSegment } from "#worker/request-log/segments";
import { RecentWindow } from "#worker/request-log/window";
import RequestDetail, * as detailPage from "../../../app/routes/dashboard/request";
import Requests, * as listPage from "../../../app/routes/dashboard/requests";
import { marker, openaiFake, script, usageRows } from "../support/ai-helpers";
import { call, expectError, newKeyUser } from "../support/helpers";
import { sealRequestLog, seedRequestLog, usageRow } from "../support/request-log";
import { args, page } from "../support/route-calls";

type Entry = {
  id: string;
  status: number;
  streamed: boolean;
  latencyMs: number;
  outputTokens: number;
  firstTokenMs: number | null;
  outputTokensPerSecond: number | null;
};

async function entry(cookie: string, id: string): Promise<Entry> {
  const res = await call(`/api/requests/${id}`, { cookie });
  expect(res.status).toBe(200);
  return (await res.json()) as Entry;
}

/** A page component rendered as the server renders it, with its loader's data. */
function render(component: (props: never) => React.ReactNode, loaderData: unknown): string {
  const router = createMemoryRouter(
    [{ path: "*", element: createElement(component as never, { loaderData } as never) }],
    { initialEntries: ["/dashboard/requests"] },
  );
  return renderToStaticMarkup(createElement(RouterProvider, { router }));
}

const HEADERS_DELAY_MS = 150;
const CHUNK_DELAY_MS = 60;
/** The provider opens its stream at once, then thinks this long before its first event. */
const FIRST_EVENT_DELAY_MS = 400;

describe("time to first token in the request log", () => {
  it("a whole answer's first token is when it left; a stream's when its first event was relayed, not when it opened", async () => {
    const user = await newKeyUser();
    const m = marker();
    await script(openaiFake(), { match: m, delayMs: HEADERS_DELAY_MS, reply: "one two three four " });
    const whole = await call("/v1/chat/completions", {
      key: user.key,
      body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: m }] },
    });
    expect(whole.status).toBe(200);
    await whole.text();
    const s = marker();
    await script(openaiFake(), {
      match: s,
      delayMs: HEADERS_DELAY_MS,
      firstEventDelayMs: FIRST_EVENT_DELAY_MS,
      chunkDelayMs: CHUNK_DELAY_MS,
      reply: "one two three four ",
    });
    const streamed = await call("/v1/chat/completions", {
      key: user.key,
      body: { model: "openai/gpt-4o-mini", stream: true, messages: [{ role: "user", content: s }] },
    });
    expect(streamed.status).toBe(200);
    await streamed.text();
    await usageRows(user.id, 2);

    const a = await entry(user.cookie, whole.headers.get("x-request-id")!);
    expect(a.streamed).toBe(false);
    // The provider answered after its delay; nothing reached the client before: the first token is no earlier.
    expect(a.firstTokenMs).toBeGreaterThanOrEqual(HEADERS_DELAY_MS);
    expect(a.firstTokenMs).toBeLessThanOrEqual(a.latencyMs);
    expect(a.outputTokensPerSecond).toBe(Math.round((a.outputTokens * 10_000) / a.latencyMs) / 10);

    const b = await entry(user.cookie, streamed.headers.get("x-request-id")!);
    expect(b.streamed).toBe(true);
    // The stream opened after HEADERS_DELAY_MS, its first event came FIRST_EVENT_DELAY_MS later: that is the token.
    expect(b.firstTokenMs).toBeGreaterThanOrEqual(HEADERS_DELAY_MS + FIRST_EVENT_DELAY_MS);
    // The chunks came after the first, each after a pause: the first token is well before the end.
    expect(b.latencyMs - b.firstTokenMs!).toBeGreaterThanOrEqual(3 * CHUNK_DELAY_MS);
    expect(b.outputTokensPerSecond).toBe(
      Math.round((b.outputTokens * 10_000) / (b.latencyMs - b.firstTokenMs!)) / 10,
    );

    // The CSV carries it (appended after the columns it had), and so does the account's data export.
    const csv = (await (await call("/api/requests?format=csv", { cookie: user.cookie })).text()).split(
      "\r\n",
    );
    expect(csv[0]).toMatch(/,errorMessage,firstTokenMs,outputTokensPerSecond$/);
    const line = csv.find((l) => l.startsWith(`${b.id},`))!;
    expect(line.split(",").slice(-2)).toEqual([String(b.firstTokenMs), String(b.outputTokensPerSecond)]);
    const exported = await runInDurableObject(env.ACCOUNT.getByName(user.id), (_i, state) =>
      new AccountHost(state, env).requestRows.exportPage(user.id, null),
    );
    expect(exported.rows).toContainEqual(
      expect.objectContaining({ id: b.id, first_token_ms: b.firstTokenMs }),
    );
  });

  it("a request refused before any answer has none", async () => {
    const user = await newKeyUser();
    const res = await call("/v1/chat/completions", {
      key: user.key,
      body: { model: "nope/none", messages: [{ role: "user", content: "hi" }] },
    });
    await expectError(res, 404);
    await usageRows(user.id, 1);
    expect(await entry(user.cookie, res.headers.get("x-request-id")!)).toMatchObject({
      firstTokenMs: null,
      outputTokensPerSecond: null,
    });
  });

  it("survives sealing into a segment", async () => {
    const user = await newKeyUser();
    const rows = [
      usageRow(user.id, user.keyId, {
        createdAt: Date.now() - 5 * 86_400_000,
        streamed: true,
        firstTokenMs: 321,
      }),
      usageRow(user.id, user.keyId, {
        createdAt: Date.now() - 5 * 86_400_000 + 1,
        status: 404,
        firstTokenMs: null,
      }),
    ];
    await seedRequestLog(user.id, rows);
    await sealRequestLog(user.id);
    expect((await env.ACCOUNT.getByName(user.id).requestLogHeld()).rows).toBe(0);
    expect((await entry(user.cookie, rows[0]!.id)).firstTokenMs).toBe(321);
    expect((await entry(user.cookie, rows[1]!.id)).firstTokenMs).toBeNull();
  });

  it("a segment sealed before it was kept still reads (no first token, its cache counts as 0)", async () => {
    const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
      "encrypt",
      "decrypt",
    ]);
    const dataKey = { key, keyVer: 1 };
    const objectKey = "request-log/acct/0000000000001-old.seg";
    // The tuples as the first format wrote them (15 fields), then with the cache counts appended (17 fields).
    const first = ["r1", 1, "k1", "api", "chat.completions", "m/x", null, "p", 10, 5, 42, 120, 200, 0, 0];
    const second = [
      "r2",
      2,
      null,
      "api",
      "chat.completions",
      "m/x",
      null,
      "p",
      10,
      5,
      42,
      130,
      200,
      1,
      0,
      3,
      1,
    ];
    const json = new TextEncoder().encode(JSON.stringify({ v: 1, rows: [first, second], failures: {} }));
    const packed = new Uint8Array(
      await new Response(new Blob([json]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
    );
    const sealed = await seal(key, `request-log|acct|${objectKey}|1`, packed);
    const rows = await openSegment(sealed, "acct", objectKey, dataKey);
    expect(rows).toEqual([
      expect.objectContaining({ id: "r1", latencyMs: 120, cachedInputTokens: 0, firstTokenMs: null }),
      expect.objectContaining({
        id: "r2",
        streamed: true,
        cachedInputTokens: 3,
        cacheWriteTokens: 1,
        firstTokenMs: null,
      }),
    ]);
    // And the new format round-trips the value.
    const now = usageRow("acct", null, { id: "r3", firstTokenMs: 77 });
    const { accountId: _a, ...logged } = { ...now, requestedModel: null, keyId: null };
    const again = await openSegment(
      await sealSegment(
        [{ ...logged, cachedInputTokens: 0, cacheWriteTokens: 0, firstTokenMs: 77 }],
        "acct",
        objectKey,
        dataKey,
      ),
      "acct",
      objectKey,
      dataKey,
    );
    expect(again[0]!.firstTokenMs).toBe(77);
  });

  it("a window created before the column gains it, its old rows without a value", async () => {
    const user = await newKeyUser();
    await runInDurableObject(env.ACCOUNT.getByName(user.id), async (_i, state) => {
      state.storage.sql.exec(`CREATE TABLE request_rows (
        id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, key_id TEXT, source TEXT NOT NULL,
        endpoint TEXT NOT NULL, model TEXT NOT NULL, requested_model TEXT, provider TEXT NOT NULL,
        input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_micros INTEGER NOT NULL,
        latency_ms INTEGER NOT NULL, status INTEGER NOT NULL, streamed INTEGER NOT NULL,
        estimated INTEGER NOT NULL)`);
      state.storage.sql.exec(
        `INSERT INTO request_rows VALUES ('old', 1, NULL, 'api', 'chat.completions', 'm/x', NULL, 'p', 1, 1, 1, 9, 200, 0, 0)`,
      );
      const window = new RecentWindow(state.storage);
      window.add([
        {
          ...usageRow(user.id, null, { id: "new", createdAt: 2, firstTokenMs: 55 }),
          keyId: null,
          requestedModel: null,
          cachedInputTokens: 0,
          cacheWriteTokens: 0,
          firstTokenMs: 55,
        },
      ]);
      expect(window.byId("old")).toMatchObject({ firstTokenMs: null, cachedInputTokens: 0 });
      expect(window.byId("new")).toMatchObject({ firstTokenMs: 55 });
    });
  });

  it("the request list and the detail page show it, and the speed after it", async () => {
    const user = await newKeyUser();
    const rows = [
      usageRow(user.id, user.keyId, {
        createdAt: Date.now() - 60_000,
        streamed: true,
        latencyMs: 2_250,
        firstTokenMs: 1_250,
        outputTokens: 50,
      }),
      usageRow(user.id, user.keyId, {
        createdAt: Date.now() - 30_000,
        status: 404,
        outputTokens: 0,
        firstTokenMs: null,
      }),
    ];
    await seedRequestLog(user.id, rows);
    const list = await listPage.loader(args(page("/dashboard/requests", user.cookie)));
    const html = render(Requests, list);
    expect(html).toContain("First token");
    const cells = [...html.matchAll(/data-testid="first-token">(.*?)<\/td>/g)].map((m) => m[1]);
    expect(cells).toEqual(['<span class="muted">—</span>', "1,250 ms"]);

    const id = rows[0]!.id;
    const detail = render(
      RequestDetail,
      await detailPage.loader(args(page(`/dashboard/requests/${id}`, user.cookie), { id })),
    );
    expect(detail).toContain('data-testid="first-token">1,250 ms (the first event relayed)<');
    // 50 tokens over the 1,000 ms after the first one.
    expect(detail).toContain('data-testid="speed">50 output tokens a second (after the first token)<');
    const refused = rows[1]!.id;
    const none = render(
      RequestDetail,
      await detailPage.loader(args(page(`/dashboard/requests/${refused}`, user.cookie), { id: refused })),
    );
    expect(none).toContain('data-testid="first-token">— (no answer began)<');
    expect(none).not.toContain('data-testid="speed"');
  });
});
