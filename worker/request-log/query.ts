// What a reader asks of the request log, in the plain shape that crosses the Durable Object boundary
// (epoch ms, no Date), and the order every store of it shares: newest first, then by id, descending.
import { badRequest } from "../errors";
import type { UsageRow } from "../usage/row";

export type RequestFilters = {
  from: Date;
  to: Date;
  keyId?: string;
  model?: string;
  /** "ok" (below 400), "error" (400 and above) or one exact status code. */
  status?: "ok" | "error" | number;
  streamed?: boolean;
};

/** The filters as sent to the account's object: times in epoch ms, strictly before `before` when paging. */
export type RowQuery = {
  from: number;
  to: number;
  keyId?: string;
  model?: string;
  status?: "ok" | "error" | number;
  streamed?: boolean;
  before?: { at: number; id: string };
};

export function rowQuery(f: RequestFilters, before?: { at: number; id: string }): RowQuery {
  return {
    from: f.from.getTime(),
    to: f.to.getTime(),
    ...(f.keyId ? { keyId: f.keyId } : {}),
    ...(f.model ? { model: f.model } : {}),
    ...(f.status !== undefined ? { status: f.status } : {}),
    ...(f.streamed !== undefined ? { streamed: f.streamed } : {}),
    ...(before ? { before } : {}),
  };
}

/** One request-log row as stored (the usage row without its account: the store is the account's own). */
export type LoggedRow = {
  id: string;
  createdAt: number;
  keyId: string | null;
  source: string;
  endpoint: string;
  model: string;
  requestedModel: string | null;
  provider: string;
  inputTokens: number;
  outputTokens: number;
  /** Of the input tokens, those read from the provider's prompt cache. */
  cachedInputTokens: number;
  /** Of the input tokens, those written to the provider's prompt cache. */
  cacheWriteTokens: number;
  costMicros: number;
  latencyMs: number;
  /** Time to first token, ms (speed.ts says what it measures); null when no answer began, or logged before it was kept. */
  firstTokenMs: number | null;
  status: number;
  streamed: boolean;
  estimated: boolean;
  /** Why it failed, as we answered (absent on rows that succeeded and on rows logged before it was kept). */
  errorCode?: string | null;
  errorMessage?: string | null;
};

/** The usage row as the request log keeps it. */
export function loggedRow(r: UsageRow): LoggedRow {
  return {
    id: r.id,
    createdAt: r.createdAt,
    keyId: r.keyId ?? null,
    source: r.source,
    endpoint: r.endpoint,
    model: r.model,
    requestedModel: r.requestedModel ?? null,
    provider: r.provider,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cachedInputTokens: r.cachedInputTokens ?? 0,
    cacheWriteTokens: r.cacheWriteTokens ?? 0,
    costMicros: r.costMicros,
    latencyMs: r.latencyMs,
    firstTokenMs: r.firstTokenMs ?? null,
    status: r.status,
    streamed: r.streamed,
    estimated: r.estimated,
    ...(r.errorMessage ? { errorCode: r.errorCode ?? null, errorMessage: r.errorMessage } : {}),
  };
}

/** Whether a row passes the query (the SQL of the recent window says the same in its WHERE). */
export function matches(r: LoggedRow, q: RowQuery): boolean {
  if (r.createdAt < q.from || r.createdAt >= q.to) return false;
  if (q.keyId !== undefined && r.keyId !== q.keyId) return false;
  if (q.model !== undefined && r.model !== q.model) return false;
  if (q.status === "ok" && r.status >= 400) return false;
  if (q.status === "error" && r.status < 400) return false;
  if (typeof q.status === "number" && r.status !== q.status) return false;
  if (q.streamed !== undefined && r.streamed !== q.streamed) return false;
  if (q.before && !newer(q.before, r)) return false;
  return true;
}

/** True when `a` sorts before `b` newest first (later time, or the same time and a greater id). */
function newer(a: { at: number; id: string }, b: LoggedRow): boolean {
  return a.at > b.createdAt || (a.at === b.createdAt && a.id > b.id);
}

export const newestFirst = (a: LoggedRow, b: LoggedRow) =>
  b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** `<createdAt ms>.<id>` of the last row shown, base64url: the next page starts strictly after it. */
export function encodeCursor(row: { createdAt: number; id: string }): string {
  return btoa(`${row.createdAt}.${row.id}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(cursor: string): { at: number; id: string } {
  try {
    const text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const dot = text.indexOf(".");
    const at = Number(text.slice(0, dot));
    const id = text.slice(dot + 1);
    if (dot > 0 && Number.isSafeInteger(at) && id) return { at, id };
  } catch {
    // fall through to the error below
  }
  throw badRequest("The cursor is not one this API gave out.", "cursor", "invalid_cursor");
}
