// The usage page's custom date range and its key and model filters (a GET form: no JavaScript needed), over
// the request log's raw rows (two days or less) and D1's aggregates (longer).
import { describe, expect, it } from "vitest";
import * as usage from "../../../app/routes/dashboard/usage";
import { newKeyUser } from "../support/helpers";
import { seedRequestLog, usageRow } from "../support/request-log";
import { args, page } from "../support/route-calls";

const DAY = 86_400_000;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

describe("usage page: custom range and filters", () => {
  it("sums only the chosen days, key and model", async () => {
    const user = await newKeyUser();
    const today = Math.floor(Date.now() / DAY) * DAY;
    const at = (daysAgo: number) => today - daysAgo * DAY + 3_600_000;
    await seedRequestLog(user.id, [
      usageRow(user.id, user.keyId, { createdAt: at(5), model: "openai/gpt-4o-mini", costMicros: 100 }),
      usageRow(user.id, user.keyId, { createdAt: at(5), model: "openai/gpt-4o", costMicros: 200 }),
      usageRow(user.id, null, {
        createdAt: at(5),
        source: "whatsapp",
        model: "openai/gpt-4o-mini",
        costMicros: 400,
      }),
      usageRow(user.id, user.keyId, { createdAt: at(1), model: "openai/gpt-4o-mini", costMicros: 800 }),
    ]);
    const load = (q: string) => usage.loader(args(page(`/dashboard/usage?${q}`, user.cookie)));
    const total = (d: Awaited<ReturnType<typeof load>>) => d.series.reduce((n, p) => n + p.costMicros, 0);

    // One day, five days ago (raw rows): everything from that day, nothing from yesterday.
    const oneDay = await load(`from=${dayOf(at(5))}&to=${dayOf(at(5))}`);
    expect(oneDay).toMatchObject({
      range: null,
      hourly: true,
      custom: { from: dayOf(at(5)), to: dayOf(at(5)) },
    });
    expect(oneDay.series).toHaveLength(24);
    expect(total(oneDay)).toBe(700);
    // The same day, one key and one model.
    const narrowed = await load(
      `from=${dayOf(at(5))}&to=${dayOf(at(5))}&keyId=${user.keyId}&model=openai/gpt-4o-mini`,
    );
    expect(total(narrowed)).toBe(100);
    expect(narrowed.filter).toEqual({ keyId: user.keyId, model: "openai/gpt-4o-mini" });
    // Ten days (the aggregates): the key's rows of every model, and one model's of every key.
    const ten = `from=${dayOf(at(9))}&to=${dayOf(today)}`;
    const byKey = await load(`${ten}&keyId=${user.keyId}`);
    expect(byKey).toMatchObject({ hourly: false });
    expect(byKey.series).toHaveLength(10);
    expect(total(byKey)).toBe(1_100);
    expect(byKey.byModel.map((r) => r.group).sort()).toEqual(["openai/gpt-4o", "openai/gpt-4o-mini"]);
    expect(total(await load(`${ten}&model=openai/gpt-4o-mini`))).toBe(1_300);
    // A choice the page does not offer (another account's key, an unknown model) filters nothing.
    expect(total(await load(`${ten}&keyId=someone-elses&model=nope`))).toBe(1_500);
    expect((await load(`${ten}&keyId=someone-elses`)).filter).toEqual({ keyId: "", model: "" });
  });

  it("a backwards or endless range is no range: the tab's range applies", async () => {
    const user = await newKeyUser();
    expect(
      await usage.loader(args(page("/dashboard/usage?range=7d&from=2026-05-02&to=2026-05-01", user.cookie))),
    ).toMatchObject({
      range: "7d",
      custom: null,
    });
    expect(
      await usage.loader(args(page("/dashboard/usage?from=2020-01-01&to=2026-01-01", user.cookie))),
    ).toMatchObject({
      range: "30d",
      custom: null,
    });
  });
});
