// The request log: an account's usage rows, newest first, filtered and paged by an opaque cursor, one row
// in detail, and the CSV of a filtered range. Always scoped by account: another account's id is not found.
import { and, desc, eq, gte, lt, or, type SQL, sql } from "drizzle-orm";
import { apiKeys, usageEvents } from "../../db/schema";
import type { Db } from "../env";
import { badRequest, notFound } from "../errors";
import type { RequestEntry } from "./views";

export type RequestFilters = {
  from: Date;
  to: Date;
  keyId?: string;
  model?: string;
  /** "ok" (below 400), "error" (400 and above) or one exact status code. */
  status?: "ok" | "error" | number;
  streamed?: boolean;
};

export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 200;
/** The most rows one CSV download carries; narrow the range for more. */
const CSV_MAX_ROWS = 10_000;

/** `<createdAt ms>.<id>` of the last row shown, base64url: the next page starts strictly after it. */
function encodeCursor(row: { createdAt: string; id: string }): string {
  return btoa(`${Date.parse(row.createdAt)}.${row.id}`)
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const dot = text.indexOf(".");
    const at = Number(text.slice(0, dot));
    const id = text.slice(dot + 1);
    if (dot > 0 && Number.isSafeInteger(at) && id) return { at: new Date(at), id };
  } catch {
    // fall through to the error below
  }
  throw badRequest("The cursor is not one this API gave out.", "cursor", "invalid_cursor");
}

function conditions(accountId: string, f: RequestFilters): SQL[] {
  const where: SQL[] = [
    eq(usageEvents.accountId, accountId),
    gte(usageEvents.createdAt, f.from),
    lt(usageEvents.createdAt, f.to),
  ];
  if (f.keyId) where.push(eq(usageEvents.keyId, f.keyId));
  if (f.model) where.push(eq(usageEvents.model, f.model));
  if (f.status === "ok") where.push(lt(usageEvents.status, 400));
  else if (f.status === "error") where.push(gte(usageEvents.status, 400));
  else if (typeof f.status === "number") where.push(eq(usageEvents.status, f.status));
  if (f.streamed !== undefined) where.push(eq(usageEvents.streamed, f.streamed));
  return where;
}

async function keyLabels(db: Db, accountId: string): Promise<Map<string, string>> {
  const keys = await db
    .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix })
    .from(apiKeys)
    .where(eq(apiKeys.accountId, accountId));
  return new Map(keys.map((k) => [k.id, `${k.name} (${k.prefix}…)`]));
}

function entry(r: typeof usageEvents.$inferSelect, labels: Map<string, string>): RequestEntry {
  return {
    id: r.id,
    createdAt: r.createdAt.toISOString(),
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
    cachedInputTokens: r.cachedInputTokens,
    cacheWriteTokens: r.cacheWriteTokens,
    outputTokens: r.outputTokens,
    costMicros: r.costMicros,
    cost: r.costMicros / 1_000_000,
    latencyMs: r.latencyMs,
  };
}

/** One page of the log, newest first; `nextCursor` is null on the last page. */
export async function listRequests(
  db: Db,
  accountId: string,
  filters: RequestFilters,
  page: { cursor?: string; limit: number },
): Promise<{ data: RequestEntry[]; nextCursor: string | null }> {
  const where = conditions(accountId, filters);
  if (page.cursor) {
    const { at, id } = decodeCursor(page.cursor);
    where.push(
      or(lt(usageEvents.createdAt, at), and(eq(usageEvents.createdAt, at), lt(usageEvents.id, id))) as SQL,
    );
  }
  const [rows, labels] = await Promise.all([
    db
      .select()
      .from(usageEvents)
      .where(and(...where))
      .orderBy(desc(usageEvents.createdAt), desc(usageEvents.id))
      .limit(page.limit + 1),
    keyLabels(db, accountId),
  ]);
  const data = rows.slice(0, page.limit).map((r) => entry(r, labels));
  const last = data.at(-1);
  return { data, nextCursor: rows.length > page.limit && last ? encodeCursor(last) : null };
}

export async function getRequest(db: Db, accountId: string, id: string): Promise<RequestEntry> {
  const [[row], labels] = await Promise.all([
    db
      .select()
      .from(usageEvents)
      .where(and(eq(usageEvents.accountId, accountId), eq(usageEvents.id, id))),
    keyLabels(db, accountId),
  ]);
  if (!row) throw notFound("Request");
  return entry(row, labels);
}

/** The distinct models the account used in the range, for the filter's choices. */
export async function requestModels(
  db: Db,
  accountId: string,
  range: { from: Date; to: Date },
): Promise<string[]> {
  const rows = await db
    .selectDistinct({ model: usageEvents.model })
    .from(usageEvents)
    .where(and(...conditions(accountId, range)))
    .orderBy(sql`1`);
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
  "cachedInputTokens",
  "cacheWriteTokens",
  "outputTokens",
  "cost",
  "latencyMs",
];

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed so spreadsheets never run a cell as a formula. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "number" ? String(value) : String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The filtered rows as CSV (header first, newest first), at most CSV_MAX_ROWS. */
export async function requestsCsv(db: Db, accountId: string, filters: RequestFilters): Promise<string> {
  const lines = [CSV_COLUMNS.join(",")];
  let cursor: string | undefined;
  let left = CSV_MAX_ROWS;
  do {
    const page = await listRequests(db, accountId, filters, { cursor, limit: Math.min(1_000, left) });
    for (const r of page.data) {
      lines.push(CSV_COLUMNS.map((c) => csvCell(c === "cost" ? r.cost.toFixed(6) : r[c])).join(","));
    }
    left -= page.data.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && left > 0);
  return `${lines.join("\r\n")}\r\n`;
}
