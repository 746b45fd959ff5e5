// The request log API: filters, cursor paging, CSV, one request's detail and its logged content, tenant isolation.
import { describe, expect, it } from "vitest";
import { marker, requestLogRows, usageRows } from "../support/ai-helpers";
import { call, expectError, newKeyUser, newUser, verifyEmail } from "../support/helpers";
import { type SeedRow, seedRequestLog, usageRow } from "../support/request-log";

type Entry = { id: string; model: string; status: number; streamed: boolean; keyId: string | null };
type Page = { data: Entry[]; nextCursor: string | null };

const HOUR = 3_600_000;

/** Rows as the proxy leaves them: metered into the account's object, flushed into its request log. */
async function seed(accountId: string, keyId: string | null, rows: SeedRow[]) {
  const base = Date.now() - 10 * HOUR;
  await seedRequestLog(
    accountId,
    rows.map((r, i) => usageRow(accountId, keyId, { createdAt: base + i * 60_000, ...r })),
  );
}

const get = async (path: string, cookie: string) => {
  const res = await call(path, { cookie });
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};

describe("GET /api/requests", () => {
  it("pages newest first with a cursor, without gaps or repeats", async () => {
    const user = await newKeyUser();
    await seed(
      user.id,
      user.keyId,
      Array.from({ length: 7 }, () => ({})),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await get(`/api/requests?limit=3${cursor ? `&cursor=${cursor}` : ""}`, user.cookie);
      seen.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);
    const rows = await requestLogRows(user.id);
    expect(seen).toEqual(rows.reverse().map((r) => r.id));
  });

  it("filters by key, model, status, streamed and time range", async () => {
    const user = await newKeyUser();
    const other = await call("/api/keys", { cookie: user.cookie, body: { name: "other" } });
    const otherKey = ((await other.json()) as { id: string }).id;
    await seed(user.id, user.keyId, [
      { model: "openai/gpt-4o", status: 200 },
      { model: "openai/gpt-4o-mini", status: 429 },
      { model: "openai/gpt-4o-mini", status: 200, streamed: true },
      { createdAt: Date.now() - 40 * 24 * HOUR },
    ]);
    await seed(user.id, otherKey, [{ status: 402 }]);
    const count = async (q: string) => (await get(`/api/requests?${q}`, user.cookie)).data.length;
    expect(await count("")).toBe(4);
    expect(await count(`keyId=${user.keyId}`)).toBe(3);
    expect(await count("model=openai/gpt-4o")).toBe(1);
    expect(await count("status=error")).toBe(2);
    expect(await count("status=429")).toBe(1);
    expect(await count("status=ok")).toBe(2);
    expect(await count("streamed=true")).toBe(1);
    expect(await count(`from=${new Date(Date.now() - 50 * 24 * HOUR).toISOString()}`)).toBe(5);
  });

  it("downloads the filtered rows as CSV", async () => {
    const user = await newKeyUser();
    await seed(user.id, user.keyId, [{ status: 200 }, { status: 404, model: "=cmd|evil" }, { status: 500 }]);
    const res = await call("/api/requests?format=csv&status=error", { cookie: user.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="requests-.*\.csv"/);
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toMatch(
      /^id,createdAt,keyId,keyLabel,.*,cost,latencyMs,errorCode,errorMessage,firstTokenMs,outputTokensPerSecond$/,
    );
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.includes(",'=cmd|evil,"))).toBe(true);
    expect(lines.every((l, i) => i === 0 || l.includes(",0.000042,"))).toBe(true);
  });

  it("refuses a forged cursor and bad filters with 400", async () => {
    const { cookie } = await newUser();
    expect(
      (await expectError(await call("/api/requests?cursor=bm90LWEtY3Vyc29y", { cookie }), 400)).param,
    ).toBe("cursor");
    await expectError(await call("/api/requests?status=teapot", { cookie }), 400);
    await expectError(await call("/api/requests?streamed=maybe", { cookie }), 400);
    await expectError(await call("/api/requests"), 401);
  });
});

describe("GET /api/requests/:id", () => {
  it("shows the metadata, fallback used, and says no content was logged", async () => {
    const user = await newKeyUser();
    const id = crypto.randomUUID();
    await seed(user.id, user.keyId, [
      { id, model: "anthropic/claude-3-5-haiku-latest", requestedModel: "openai/gpt-4o" },
    ]);
    const res = await call(`/api/requests/${id}?include=content`, { cookie: user.cookie });
    expect(await res.json()).toMatchObject({
      id,
      model: "anthropic/claude-3-5-haiku-latest",
      requestedModel: "openai/gpt-4o",
      fallbackUsed: true,
      latencyMs: 120,
      inputTokens: 10,
      outputTokens: 5,
      costMicros: 42,
      provider: "openai",
      status: 200,
      contentLogged: false,
      content: null,
    });
  });

  it("returns a logged request's decrypted content on demand, and only then", async () => {
    const user = await newKeyUser();
    await verifyEmail(user.email, user.cookie); // keeping content needs a proven address
    await call("/api/settings/privacy", {
      method: "PUT",
      cookie: user.cookie,
      body: { contentLogging: true },
    });
    const text = marker("logged");
    const res = await call("/v1/chat/completions", {
      key: user.key,
      body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: text }] },
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id")!;
    await res.text();
    await usageRows(user.id, 1);
    let detail: Record<string, unknown> = {};
    for (let i = 0; i < 100 && !detail.contentLogged; i++) {
      detail = (await (
        await call(`/api/requests/${requestId}`, { cookie: user.cookie })
      ).json()) as typeof detail;
      if (!detail.contentLogged) await new Promise((r) => setTimeout(r, 25));
    }
    expect(detail).toMatchObject({ id: requestId, contentLogged: true });
    expect(detail.content).toBeUndefined();
    const full = (await (
      await call(`/api/requests/${requestId}?include=content`, { cookie: user.cookie })
    ).json()) as { content: { request: string; response: string } };
    expect(full.content.request).toContain(text);
    expect(full.content.response.length).toBeGreaterThan(0);
  });

  it("another account's request is not found", async () => {
    const alice = await newKeyUser();
    const bob = await newUser();
    const id = crypto.randomUUID();
    await seed(alice.id, alice.keyId, [{ id }]);
    await expectError(await call(`/api/requests/${id}`, { cookie: bob.cookie }), 404);
    await expectError(await call(`/api/requests/${id}?include=content`, { cookie: bob.cookie }), 404);
    expect((await get("/api/requests", bob.cookie)).data).toEqual([]);
    expect((await get(`/api/requests?keyId=${alice.keyId}`, bob.cookie)).data).toEqual([]);
    expect((await call(`/api/requests/${id}`, { cookie: alice.cookie })).status).toBe(200);
  });
});
