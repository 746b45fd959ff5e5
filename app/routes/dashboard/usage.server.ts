import { getDb } from "#worker/db";
import { listKeys } from "#worker/keys/service";
import { requestModels } from "#worker/request-log/entries";
import { DAY_MS, HOUR_MS } from "#worker/time";
import { type UsageGroup, usageSummary } from "#worker/usage/queries";
import { flushUsage } from "#worker/usage/record";
import { requireUser } from "../../lib/session.server";
import type { Route } from "./+types/usage";

const RANGES = [
  { id: "24h", label: "24 hours", hours: 24 },
  { id: "48h", label: "48 hours", hours: 48 },
  { id: "7d", label: "7 days", hours: 7 * 24 },
  { id: "30d", label: "30 days", hours: 30 * 24 },
  { id: "90d", label: "90 days", hours: 90 * 24 },
] as const;
/** Up to this span the time axis is hourly; beyond it, daily. */
const HOURLY_UP_TO_HOURS = 48;

/** The longest custom range, in days. */
const CUSTOM_MAX_DAYS = 400;

/** A custom range from `?from=&to=` (whole UTC days, `to` inclusive), or null when absent or not a range. */
function customRange(params: URLSearchParams): { from: Date; to: Date } | null {
  const day = (name: string) => {
    const v = params.get(name) ?? "";
    const t = /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : Number.NaN;
    return Number.isNaN(t) ? null : t;
  };
  const from = day("from");
  const to = day("to");
  if (from === null || to === null || to < from || to - from >= CUSTOM_MAX_DAYS * DAY_MS) return null;
  return { from: new Date(from), to: new Date(to + DAY_MS) };
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const env = context.cloudflare.env;
  const session = await requireUser(request, env);
  const params = new URL(request.url).searchParams;
  const asked = params.get("range");
  const range = RANGES.find((r) => r.id === asked) ?? RANGES[3];
  const custom = customRange(params);
  const hours = custom ? (custom.to.getTime() - custom.from.getTime()) / HOUR_MS : range.hours;
  const hourly = hours <= HOURLY_UP_TO_HOURS;
  const now = Date.now();
  // Whole buckets: the range ends at the end of the current hour (or day).
  const unit = hourly ? HOUR_MS : DAY_MS;
  const to = custom?.to ?? new Date(Math.floor(now / unit) * unit + unit);
  const from = custom?.from ?? new Date(to.getTime() - range.hours * HOUR_MS);
  const db = getDb(env.DB);
  await flushUsage(env, session.accountId);
  const [keys, models] = await Promise.all([
    listKeys(db, session.accountId),
    requestModels(db, session.accountId, {
      from: new Date(now - CUSTOM_MAX_DAYS * DAY_MS),
      to: new Date(now),
    }),
  ]);
  // Only choices the page offers filter: anything else in the address is ignored.
  const keyId = keys.find((k) => k.id === params.get("keyId"))?.id;
  const model = models.find((m) => m !== "" && m === params.get("model"));
  const filter = { ...(keyId ? { keyId } : {}), ...(model ? { model } : {}) };
  const [byTime, byModel, byKey] = await Promise.all([
    usageSummary(env, db, session.accountId, { from, to }, hourly ? "hour" : "day", filter),
    usageSummary(env, db, session.accountId, { from, to }, "model", filter),
    usageSummary(env, db, session.accountId, { from, to }, "key", filter),
  ]);
  return {
    ranges: RANGES.map(({ id, label }) => ({ id, label })),
    range: custom ? null : range.id,
    custom: custom
      ? {
          from: custom.from.toISOString().slice(0, 10),
          to: new Date(custom.to.getTime() - DAY_MS).toISOString().slice(0, 10),
        }
      : null,
    filter: { keyId: keyId ?? "", model: model ?? "" },
    keys: keys.map((k) => ({ id: k.id, name: `${k.name} (${k.prefix}…)` })),
    models: models.filter((m) => m !== ""),
    hourly,
    series: fill(byTime, from, to, unit, hourly),
    // A request refused before it named a model is counted under "no model", not as a blank row.
    byModel: sortByCost(byModel).map((r) => (r.group ? r : { ...r, label: "no model" })),
    byKey: sortByCost(byKey),
  };
}

const sortByCost = (rows: UsageGroup[]) =>
  [...rows].sort((a, b) => b.costMicros - a.costMicros || b.requests - a.requests);

/** One point per bucket, zeros included, so the time axis is even. */
function fill(rows: UsageGroup[], from: Date, to: Date, unit: number, hourly: boolean) {
  const byBucket = new Map(rows.map((r) => [hourly ? r.group.slice(0, 13) : r.group.slice(0, 10), r]));
  const points = [];
  for (let t = from.getTime(); t < to.getTime(); t += unit) {
    const iso = new Date(t).toISOString();
    const r = byBucket.get(hourly ? iso.slice(0, 13) : iso.slice(0, 10));
    points.push({
      bucket: iso,
      label: hourly ? `${iso.slice(5, 10)} ${iso.slice(11, 13)}:00` : iso.slice(0, 10),
      requests: r?.requests ?? 0,
      errors: r?.errors ?? 0,
      inputTokens: r?.inputTokens ?? 0,
      outputTokens: r?.outputTokens ?? 0,
      cachedInputTokens: r?.cachedInputTokens ?? 0,
      cacheWriteTokens: r?.cacheWriteTokens ?? 0,
      costMicros: r?.costMicros ?? 0,
      cost: r?.cost ?? 0,
    });
  }
  return points;
}
