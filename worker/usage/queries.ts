// Usage aggregates for one account over a time range, grouped by day, model or key (always scoped by account).
import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { apiKeys } from "../../db/schema";
import { accountObject } from "../account-object/stub";
import type { Db } from "../env";
import { rowQuery } from "../request-log/query";
import { DAY_MS, HOUR_MS } from "../time";

export type GroupBy = "hour" | "day" | "model" | "key";

/** One row of GET /api/usage and the dashboard's tables: the schema documents it, the type is derived. */
export const UsageGroupSchema = z
  .object({
    group: z.string(),
    label: z
      .string()
      .openapi({ description: "The group's readable name (a key's name and prefix, or the source)" }),
    requests: z.number().int(),
    errors: z.number().int(),
    inputTokens: z.number().int().openapi({ description: "Every input token, cached or not" }),
    outputTokens: z.number().int(),
    cachedInputTokens: z
      .number()
      .int()
      .openapi({ description: "Of the input tokens, those read from the provider's prompt cache" }),
    cacheWriteTokens: z
      .number()
      .int()
      .openapi({ description: "Of the input tokens, those written to the provider's prompt cache" }),
    cost: z.number().openapi({ description: "USD" }),
    costMicros: z.number().int().openapi({ description: "Integer micro-USD (exact)" }),
    estimatedRequests: z.number().int().openapi({ description: "Requests whose tokens were estimated" }),
  })
  .openapi("UsageGroup");

export type UsageGroup = z.infer<typeof UsageGroupSchema>;

/** Ranges up to this long read the raw rows (exact to the millisecond); longer ones read the aggregates. */
const RAW_RANGE_MS = 48 * HOUR_MS;

type Sums = {
  group: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  costMicros: number;
  estimatedRequests: number;
};

/** Narrows a summary to one API key and/or one model. */
type UsageFilter = { keyId?: string; model?: string };

/** Short ranges: the request log's own rows, in the account's object (ADR 090), summed there. */
function fromRawRows(
  env: Env,
  accountId: string,
  range: { from: Date; to: Date },
  groupBy: GroupBy,
  filter: UsageFilter,
) {
  return accountObject(env, accountId).requestLogSums(accountId, rowQuery({ ...range, ...filter }), groupBy);
}

const aggregateGroup: Record<GroupBy, string> = {
  hour: "strftime('%Y-%m-%dT%H:00:00Z', t / 1000, 'unixepoch')",
  day: "strftime('%Y-%m-%d', t / 1000, 'unixepoch')",
  model: "model",
  key: "key",
};

/**
 * Sums from the hourly aggregates and, for what is older than the raw retention, the daily ones. A bucket counts
 * when it overlaps the range, so the range's edges have the bucket's resolution (an hour; a day for old data).
 */
async function fromAggregates(
  db: Db,
  accountId: string,
  range: { from: Date; to: Date },
  groupBy: GroupBy,
  filter: UsageFilter,
) {
  const narrow = sql.join(
    [
      sql``,
      ...(filter.keyId !== undefined ? [sql`key = ${filter.keyId}`] : []),
      ...(filter.model !== undefined ? [sql`model = ${filter.model}`] : []),
    ],
    sql` AND `,
  );
  const from = range.from.getTime();
  const to = range.to.getTime();
  const group = aggregateGroup[groupBy];
  const columns = sql.raw(
    "account_id, key, model, requests, errors, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, cost_micros, estimated_requests",
  );
  return db.all<Sums>(sql`
    SELECT ${sql.raw(group)} AS "group", sum(requests) AS requests, sum(errors) AS errors,
           sum(input_tokens) AS inputTokens, sum(output_tokens) AS outputTokens,
           sum(cached_input_tokens) AS cachedInputTokens, sum(cache_write_tokens) AS cacheWriteTokens,
           sum(cost_micros) AS costMicros, sum(estimated_requests) AS estimatedRequests
    FROM (SELECT hour AS t, ${columns} FROM usage_hourly
          WHERE account_id = ${accountId} AND hour > ${from - HOUR_MS} AND hour < ${to}${narrow}
          UNION ALL
          SELECT day AS t, ${columns} FROM usage_daily
          WHERE account_id = ${accountId} AND day > ${from - DAY_MS} AND day < ${to}${narrow})
    GROUP BY 1 ORDER BY 1`);
}

export async function usageSummary(
  env: Env,
  db: Db,
  accountId: string,
  range: { from: Date; to: Date },
  groupBy: GroupBy,
  filter: UsageFilter = {},
): Promise<UsageGroup[]> {
  const raw = range.to.getTime() - range.from.getTime() <= RAW_RANGE_MS;
  const rows: Sums[] = raw
    ? await fromRawRows(env, accountId, range, groupBy, filter)
    : await fromAggregates(db, accountId, range, groupBy, filter);
  const labels = groupBy === "key" ? await keyLabels(db, accountId) : new Map<string, string>();
  return rows.map((r) => ({
    group: r.group,
    label: labels.get(r.group) ?? (r.group.startsWith("source:") ? r.group.slice(7) : r.group),
    requests: Number(r.requests),
    errors: Number(r.errors),
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    cachedInputTokens: Number(r.cachedInputTokens),
    cacheWriteTokens: Number(r.cacheWriteTokens),
    costMicros: Number(r.costMicros),
    cost: Number(r.costMicros) / 1_000_000,
    estimatedRequests: Number(r.estimatedRequests),
  }));
}

async function keyLabels(db: Db, accountId: string): Promise<Map<string, string>> {
  const keys = await db
    .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix })
    .from(apiKeys)
    .where(eq(apiKeys.accountId, accountId));
  return new Map(keys.map((k) => [k.id, `${k.name} (${k.prefix}…)`]));
}
