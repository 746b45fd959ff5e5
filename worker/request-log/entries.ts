// The request log: an account's requests, newest first, filtered and paged by an opaque cursor, one row in
// detail, and the CSV of a filtered range. The rows live in the account's own Durable Object and its sealed R2
// segments (ADR 090), so every read is scoped by account: another account's id is simply not there.
import { eq, sql } from "drizzle-orm";
import { apiKeys } from "../../db/schema";
import { accountObject } from "../account-object/stub";
import type { Db } from "../env";
import { notFound } from "../errors";
import { DAY_MS, HOUR_MS } from "../time";
import { decodeCursor, encodeCursor, type LoggedRow, type RequestFilters, rowQuery } from "./query";
import { outputTokensPerSecond } from "./speed";
import type { RequestEntry } from "./views";

export type { RequestFilters } from "./query";

export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 200;
/** The most rows one CSV download carries; narrow the range for more. */
const CSV_MAX_ROWS = 10_000;

async function keyLabels(db: Db, accountId: string): Promise<Map<string, string>> {
  const keys = await db
    .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix })
    .from(apiKeys)
    .where(eq(apiKeys.accountId, accountId));
  return new Map(keys.map((k) => [k.id, `${k.name} (${k.prefix}…)`]));
}

function entry(r: LoggedRow, labels: Map<string, string>): RequestEntry {
  return {
    id: r.id,
    createdAt: new Date(r.createdAt).toISOString(),
    keyId: r.keyId,
    keyLabel: r.keyId ? (labels.get(r.keyId) ?? "deleted key") : r.source,
    source: r.source,
    endpoint: r.endpoint,
    model: r.model,
    requestedModel: r.requestedModel,
    fallbackUsed: r.requestedModel !== null,
    provider: r.provider,
    status: r.status,
    streamed: r.streamed,
    estimated: r.estimated,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cachedInputTokens: r.cachedInputTokens,
    cacheWriteTokens: r.cacheWriteTokens,
    costMicros: r.costMicros,
    cost: r.costMicros / 1_000_000,
    latencyMs: r.latencyMs,
    firstTokenMs: r.firstTokenMs,
    outputTokensPerSecond: outputTokensPerSecond(r),
    errorCode: r.errorCode ?? null,
    errorMessage: r.errorMessage ?? null,
  };
}

/** One page of the log, newest first; `nextCursor` is null on the last page. */
export async function listRequests(
  env: Env,
  db: Db,
  accountId: string,
  filters: RequestFilters,
  page: { cursor?: string; limit: number },
): Promise<{ data: RequestEntry[]; nextCursor: string | null }> {
  const before = page.cursor ? decodeCursor(page.cursor) : undefined;
  const [rows, labels] = await Promise.all([
    accountObject(env, accountId).requestLogPage(accountId, rowQuery(filters, before), page.limit + 1),
    keyLabels(db, accountId),
  ]);
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  return {
    data: shown.map((r) => entry(r, labels)),
    nextCursor: rows.length > page.limit && last ? encodeCursor(last) : null,
  };
}

export async function getRequest(env: Env, db: Db, accountId: string, id: string): Promise<RequestEntry> {
  const [row, labels] = await Promise.all([
    accountObject(env, accountId).requestLogEntry(accountId, id),
    keyLabels(db, accountId),
  ]);
  if (!row) throw notFound("Request");
  return entry(row, labels);
}

/**
 * The distinct models the account used in the range, for the filter's choices: read from D1's hourly and daily
 * aggregates (hour resolution), which cost a handful of rows per model, not a scan of the log.
 */
export async function requestModels(
  db: Db,
  accountId: string,
  range: { from: Date; to: Date },
): Promise<string[]> {
  const from = range.from.getTime();
  const to = range.to.getTime();
  const rows = await db.all<{ model: string }>(sql`
    SELECT model FROM usage_hourly WHERE account_id = ${accountId} AND hour > ${from - HOUR_MS} AND hour < ${to}
    UNION
    SELECT model FROM usage_daily WHERE account_id = ${accountId} AND day > ${from - DAY_MS} AND day < ${to}
    ORDER BY 1`);
  return rows.map((r) => r.model);
}

const CSV_COLUMNS: (keyof RequestEntry)[] = [
  "id",
  "createdAt",
  "keyId",
  "keyLabel",
  "source",
  "endpoint",
  "model",
  "requestedModel",
  "fallbackUsed",
  "provider",
  "status",
  "streamed",
  "estimated",
  "inputTokens",
  "outputTokens",
  "cachedInputTokens",
  "cacheWriteTokens",
  "cost",
  "latencyMs",
  "errorCode",
  "errorMessage",
  // Added later: appended, so a spreadsheet built on the earlier columns still lines up.
  "firstTokenMs",
  "outputTokensPerSecond",
];

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed so spreadsheets never run a cell as a formula. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "number" ? String(value) : String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The filtered rows as CSV (header first, newest first), at most CSV_MAX_ROWS. */
export async function requestsCsv(
  env: Env,
  db: Db,
  accountId: string,
  filters: RequestFilters,
): Promise<string> {
  const lines = [CSV_COLUMNS.join(",")];
  let cursor: string | undefined;
  let left = CSV_MAX_ROWS;
  do {
    const page = await listRequests(env, db, accountId, filters, { cursor, limit: Math.min(1_000, left) });
    for (const r of page.data) {
      lines.push(CSV_COLUMNS.map((c) => csvCell(c === "cost" ? r.cost.toFixed(6) : r[c])).join(","));
    }
    left -= page.data.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && left > 0);
  return `${lines.join("\r\n")}\r\n`;
}
