// Usage aggregates for one account over a time range, grouped by day, model or key (always scoped by account).
import { and, eq, gte, lt, sql } from "drizzle-orm";
import { apiKeys, usageEvents } from "../../db/schema";
import type { Db } from "../env";

export type GroupBy = "day" | "model" | "key";

export type UsageGroup = {
  group: string;
  /** Human-readable name of the group (the key's name and prefix, or the internal source). */
  label: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  /** USD. */
  cost: number;
  costMicros: number;
  estimatedRequests: number;
};

const groupExpression = {
  day: sql<string>`strftime('%Y-%m-%d', ${usageEvents.createdAt} / 1000, 'unixepoch')`,
  model: sql<string>`${usageEvents.model}`,
  key: sql<string>`coalesce(${usageEvents.keyId}, 'source:' || ${usageEvents.source})`,
};

export async function usageSummary(
  db: Db,
  accountId: string,
  range: { from: Date; to: Date },
  groupBy: GroupBy,
): Promise<UsageGroup[]> {
  const group = groupExpression[groupBy];
  const rows = await db
    .select({
      group,
      requests: sql<number>`count(*)`,
      errors: sql<number>`sum(case when ${usageEvents.status} >= 400 then 1 else 0 end)`,
      inputTokens: sql<number>`sum(${usageEvents.inputTokens})`,
      outputTokens: sql<number>`sum(${usageEvents.outputTokens})`,
      costMicros: sql<number>`sum(${usageEvents.costMicros})`,
      estimatedRequests: sql<number>`sum(${usageEvents.estimated})`,
    })
    .from(usageEvents)
    .where(
      and(
        eq(usageEvents.accountId, accountId),
        gte(usageEvents.createdAt, range.from),
        lt(usageEvents.createdAt, range.to),
      ),
    )
    .groupBy(group)
    .orderBy(group);
  const labels = groupBy === "key" ? await keyLabels(db, accountId) : new Map<string, string>();
  return rows.map((r) => ({
    group: r.group,
    label: labels.get(r.group) ?? (r.group.startsWith("source:") ? r.group.slice(7) : r.group),
    requests: Number(r.requests),
    errors: Number(r.errors),
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
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

export type RecentUsage = {
  id: string;
  createdAt: string;
  model: string;
  keyLabel: string;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  latencyMs: number;
  status: number;
  streamed: boolean;
  estimated: boolean;
};

/** The account's latest requests, newest first (metadata only — usage rows hold no content). */
export async function recentUsage(db: Db, accountId: string, limit: number): Promise<RecentUsage[]> {
  const rows = await db
    .select()
    .from(usageEvents)
    .where(eq(usageEvents.accountId, accountId))
    .orderBy(sql`${usageEvents.createdAt} desc`)
    .limit(limit);
  const labels = await keyLabels(db, accountId);
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    model: r.model,
    keyLabel: r.keyId ? (labels.get(r.keyId) ?? "deleted key") : r.source,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    costMicros: r.costMicros,
    latencyMs: r.latencyMs,
    status: r.status,
    streamed: r.streamed,
    estimated: r.estimated,
  }));
}
