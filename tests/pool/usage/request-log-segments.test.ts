// The request log over its two stores (ADR 090): recent rows in the account's object, older ones sealed into
// encrypted R2 segments — one log for paging, filters, CSV, detail and usage sums; nothing per request in D1.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newRequestId } from "#worker/request-id";
import { segmentPrefix } from "#worker/request-log/segments";
import { addToHourly } from "#worker/usage/hourly";
import { requestLogRows } from "../support/ai-helpers";
import { call, newKeyUser } from "../support/helpers";
import { requestLogHeld, sealRequestLog, seedRequestLog, usageRow } from "../support/request-log";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Page = { data: { id: string; status: number; createdAt: string }[]; nextCursor: string | null };

async function allPages(cookie: string, query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await call(`/api/requests?limit=200&${query}${cursor ? `&cursor=${cursor}` : ""}`, {
      cookie,
    });
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page;
    ids.push(...page.data.map((r) => r.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

describe("the request log across the object's window and R2 segments", () => {
  it("pages, filters, details and sums sealed rows like recent ones, and D1 keeps no row per request", async () => {
    const user = await newKeyUser();
    const start = Date.now() - 20 * DAY;
    // 6,000 old rows (two segments once sealed), every 7th an error, then 5 recent rows in the window.
    const old = Array.from({ length: 6_000 }, (_, i) => {
      const createdAt = start + i * 60_000;
      return usageRow(user.id, user.keyId, {
        id: newRequestId(createdAt - 120),
        createdAt,
        status: i % 7 === 0 ? 500 : 200,
      });
    });
    const recent = Array.from({ length: 5 }, (_, i) =>
      usageRow(user.id, user.keyId, { createdAt: Date.now() - i * 1_000 }),
    );
    await seedRequestLog(user.id, [...old, ...recent]);
    await sealRequestLog(user.id);

    const held = await requestLogHeld(user.id);
    // At least two segments of ≤ 5,000 rows (the object's own alarm may have sealed some while rows arrived).
    expect(held).toMatchObject({ rows: 5, sealedRows: 6_000 });
    expect(held.segments).toBeGreaterThanOrEqual(2);
    // In R2, under the account's prefix, and neither readable nor plain gzip: encrypted.
    const listed = await env.CONTENT.list({ prefix: segmentPrefix(user.id) });
    expect(listed.objects).toHaveLength(held.segments);
    const bytes = new Uint8Array(await (await env.CONTENT.get(listed.objects[0]!.key))!.arrayBuffer());
    expect(new TextDecoder().decode(bytes)).not.toContain("gpt-4o-mini");
    expect([bytes[0], bytes[1]]).not.toEqual([0x1f, 0x8b]);

    // Every row, newest first, across both stores, with no gap or repeat.
    const expected = [...old, ...recent].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    const range = `from=${new Date(start - DAY).toISOString()}`;
    expect(await allPages(user.cookie, range)).toEqual(expected.map((r) => r.id));
    // Filters reach into the segments.
    const errors = await allPages(user.cookie, `${range}&status=500`);
    expect(errors).toHaveLength(old.filter((r) => r.status === 500).length);
    // Detail of a sealed row (found by the time in its id), and the CSV of an old range.
    const sealed = old[1234]!;
    const detail = await call(`/api/requests/${sealed.id}`, { cookie: user.cookie });
    expect(await detail.json()).toMatchObject({ id: sealed.id, status: 200, contentLogged: false });
    const csv = await call(
      `/api/requests?format=csv&from=${new Date(start).toISOString()}&to=${new Date(start + 10 * 60_000).toISOString()}`,
      { cookie: user.cookie },
    );
    expect((await csv.text()).trim().split("\r\n")).toHaveLength(11);
    // A short range's usage sums the sealed rows exactly.
    const usage = await call(
      `/api/usage?from=${new Date(start).toISOString()}&to=${new Date(start + 24 * HOUR).toISOString()}&groupBy=model`,
      { cookie: user.cookie },
    );
    const rows = ((await usage.json()) as { rows: { requests: number; errors: number }[] }).rows;
    expect(rows[0]).toMatchObject({ requests: 1_440, errors: 206 });

    // D1: no usage row at all, only the hourly aggregates, which sum every request once.
    const d1 = await env.DB.prepare(
      `SELECT (SELECT count(*) FROM usage_events WHERE account_id = ?1) AS raw,
              (SELECT sum(requests) FROM usage_hourly WHERE account_id = ?1) AS requests`,
    )
      .bind(user.id)
      .first<{ raw: number; requests: number }>();
    expect(d1).toEqual({ raw: 0, requests: 6_005 });
  });

  it("deletes segments past the retention on the next seal", async () => {
    const user = await newKeyUser();
    const rows = Array.from({ length: 3 }, (_, i) =>
      usageRow(user.id, user.keyId, { createdAt: Date.now() - 95 * DAY + i }),
    );
    await seedRequestLog(user.id, rows);
    await sealRequestLog(user.id, Date.now() - 4 * DAY); // sealed while still within the 90 days
    expect((await requestLogHeld(user.id)).segments).toBe(1);
    await sealRequestLog(user.id);
    expect(await requestLogHeld(user.id)).toMatchObject({ rows: 0, segments: 0 });
    expect((await env.CONTENT.list({ prefix: segmentPrefix(user.id) })).objects).toHaveLength(0);
    expect(await requestLogRows(user.id)).toEqual([]);
  });

  it("a flush applied twice (its answer lost) adds to the hourly aggregates once", async () => {
    const user = await newKeyUser();
    const rows = [usageRow(user.id, user.keyId), usageRow(user.id, user.keyId, { status: 429 })];
    const flush = { accountId: user.id, seq: Date.now() };
    expect(await addToHourly(env.DB, flush, rows)).toBe(true);
    expect(await addToHourly(env.DB, flush, rows)).toBe(false);
    // An older number (a flush overtaken by a later one) adds nothing either.
    expect(await addToHourly(env.DB, { ...flush, seq: flush.seq - 1 }, rows)).toBe(false);
    const sums = await env.DB.prepare(
      "SELECT sum(requests) AS requests, sum(errors) AS errors, sum(cost_micros) AS cost FROM usage_hourly WHERE account_id = ?",
    )
      .bind(user.id)
      .first();
    expect(sums).toEqual({ requests: 2, errors: 1, cost: 84 });
  });
});
