import { getDb } from "#worker/db";
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

export async function loader({ request, context }: Route.LoaderArgs) {
  const env = context.cloudflare.env;
  const session = await requireUser(request, env);
  const asked = new URL(request.url).searchParams.get("range");
  const range = RANGES.find((r) => r.id === asked) ?? RANGES[3];
  const hourly = range.hours <= HOURLY_UP_TO_HOURS;
  const now = Date.now();
  // Whole buckets: the range ends at the end of the current hour (or day).
  const unit = hourly ? HOUR_MS : DAY_MS;
  const to = new Date(Math.floor(now / unit) * unit + unit);
  const from = new Date(to.getTime() - range.hours * HOUR_MS);
  const db = getDb(env.DB);
  await flushUsage(env, session.accountId);
  const [byTime, byModel, byKey] = await Promise.all([
    usageSummary(env, db, session.accountId, { from, to }, hourly ? "hour" : "day"),
    usageSummary(env, db, session.accountId, { from, to }, "model"),
    usageSummary(env, db, session.accountId, { from, to }, "key"),
  ]);
  return {
    ranges: RANGES.map(({ id, label }) => ({ id, label })),
    range: range.id,
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
      costMicros: r?.costMicros ?? 0,
      cost: r?.cost ?? 0,
    });
  }
  return points;
}
