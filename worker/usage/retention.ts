// Bounded usage storage (cron): raw usage rows older than USAGE_RETENTION_DAYS are deleted, and hourly
// aggregates of that age are rolled into daily ones, so D1 grows with accounts × time, not with requests.
import { getConfig } from "../config";
import { DAY_MS } from "../time";

/** Rows deleted per statement, and statements per cron tick: bounded work, the next tick continues. */
const DELETE_BATCH = 5_000;
const MAX_BATCHES = 20;
/** Days of hourly aggregates rolled up per tick. */
const MAX_DAYS_ROLLED = 31;

const sums = [
  "requests",
  "errors",
  "input_tokens",
  "output_tokens",
  "cached_input_tokens",
  "cache_write_tokens",
  "cost_micros",
  "estimated_requests",
];

/** Moves one UTC day of hourly aggregates into usage_daily in one transaction (adding, so a rerun is safe). */
function rollUpDay(db: D1Database, day: number): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `INSERT INTO usage_daily (account_id, day, key, model, ${sums.join(", ")})
         SELECT account_id, ?1, key, model, ${sums.map((c) => `sum(${c})`).join(", ")}
         FROM usage_hourly WHERE hour >= ?1 AND hour < ?2 GROUP BY account_id, key, model
         ON CONFLICT (account_id, day, key, model) DO UPDATE SET
         ${sums.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`,
      )
      .bind(day, day + DAY_MS),
    db.prepare("DELETE FROM usage_hourly WHERE hour >= ? AND hour < ?").bind(day, day + DAY_MS),
  ];
}

/** @internal */
export async function purgeOldUsage(
  env: Env,
  now: Date,
): Promise<{ rowsDeleted: number; daysRolled: number }> {
  const days = getConfig(env).ai.usageRetentionDays;
  const cutoff = now.getTime() - days * DAY_MS;
  const cutoffDay = cutoff - (cutoff % DAY_MS);
  let daysRolled = 0;
  for (; daysRolled < MAX_DAYS_ROLLED; daysRolled++) {
    const oldest = await env.DB.prepare("SELECT min(hour) AS hour FROM usage_hourly").first<{
      hour: number | null;
    }>();
    if (oldest?.hour == null || oldest.hour >= cutoffDay) break;
    const day = oldest.hour - (oldest.hour % DAY_MS);
    // The roll-up and the deletion commit together: an hour is counted in exactly one table.
    await env.DB.batch(rollUpDay(env.DB, day));
  }
  // Raw rows arrive in time order (rowid order, flushed within seconds), so the oldest sit at the front of the
  // table: each statement looks at the first DELETE_BATCH rows only, never scanning the whole table.
  let rowsDeleted = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const result = await env.DB.prepare(
      `DELETE FROM usage_events WHERE created_at < ? AND rowid IN (
         SELECT rowid FROM usage_events ORDER BY rowid LIMIT ?)`,
    )
      .bind(cutoffDay, DELETE_BATCH)
      .run();
    const deleted = result.meta.changes ?? 0;
    rowsDeleted += deleted;
    if (deleted < DELETE_BATCH) break;
  }
  return { rowsDeleted, daysRolled };
}

export const usageRetentionJob = {
  name: "usage-retention",
  run: async (env: Env, now: Date) => void (await purgeOldUsage(env, now)),
};
