// The recent window of the request log: the account's newest rows in its Durable Object's SQLite, one row per
// request, indexed by time. Older rows are sealed into R2 segments (segments.ts) and leave the window.
import type { LoggedRow, RowQuery } from "./query";

type SqlRow = {
  id: string;
  created_at: number;
  key_id: string | null;
  source: string;
  endpoint: string;
  model: string;
  requested_model: string | null;
  provider: string;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  cost_micros: number;
  latency_ms: number;
  first_token_ms: number | null;
  status: number;
  streamed: number;
  estimated: number;
};

const COLUMNS =
  "id, created_at, key_id, source, endpoint, model, requested_model, provider, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, cost_micros, latency_ms, status, streamed, estimated, first_token_ms";

/** Columns added after the table first shipped: added to a window created before them, on first use. */
const ADDED_COLUMNS: Record<string, string> = {
  cached_input_tokens: "INTEGER NOT NULL DEFAULT 0",
  cache_write_tokens: "INTEGER NOT NULL DEFAULT 0",
  first_token_ms: "INTEGER",
};

function toRow(r: SqlRow): LoggedRow {
  return {
    id: r.id,
    createdAt: r.created_at,
    keyId: r.key_id,
    source: r.source,
    endpoint: r.endpoint,
    model: r.model,
    requestedModel: r.requested_model,
    provider: r.provider,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cachedInputTokens: r.cached_input_tokens,
    cacheWriteTokens: r.cache_write_tokens,
    costMicros: r.cost_micros,
    latencyMs: r.latency_ms,
    firstTokenMs: r.first_token_ms ?? null,
    status: r.status,
    streamed: r.streamed === 1,
    estimated: r.estimated === 1,
  };
}

/** The WHERE clause and its bindings for a query (the same rules as `matches`). */
function where(q: RowQuery): { sql: string; binds: (string | number)[] } {
  const parts = ["created_at >= ?", "created_at < ?"];
  const binds: (string | number)[] = [q.from, q.to];
  if (q.keyId !== undefined) parts.push("key_id = ?") && binds.push(q.keyId);
  if (q.model !== undefined) parts.push("model = ?") && binds.push(q.model);
  if (q.status === "ok") parts.push("status < 400");
  else if (q.status === "error") parts.push("status >= 400");
  else if (typeof q.status === "number") parts.push("status = ?") && binds.push(q.status);
  if (q.streamed !== undefined) parts.push("streamed = ?") && binds.push(q.streamed ? 1 : 0);
  if (q.before) {
    parts.push("(created_at < ? OR (created_at = ? AND id < ?))");
    binds.push(q.before.at, q.before.at, q.before.id);
  }
  return { sql: parts.join(" AND "), binds };
}

export class RecentWindow {
  private ready = false;

  constructor(private readonly storage: DurableObjectStorage) {}

  private get sql() {
    if (!this.ready) {
      this.storage.sql.exec(`CREATE TABLE IF NOT EXISTS request_rows (
        id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, key_id TEXT, source TEXT NOT NULL,
        endpoint TEXT NOT NULL, model TEXT NOT NULL, requested_model TEXT, provider TEXT NOT NULL,
        input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_micros INTEGER NOT NULL,
        latency_ms INTEGER NOT NULL, status INTEGER NOT NULL, streamed INTEGER NOT NULL,
        estimated INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL DEFAULT 0,
        cache_write_tokens INTEGER NOT NULL DEFAULT 0, first_token_ms INTEGER)`);
      const present = new Set(
        this.storage.sql
          .exec<{ name: string }>("SELECT name FROM pragma_table_info('request_rows')")
          .toArray()
          .map((c) => c.name),
      );
      for (const [column, type] of Object.entries(ADDED_COLUMNS).filter(([c]) => !present.has(c))) {
        this.storage.sql.exec(`ALTER TABLE request_rows ADD COLUMN ${column} ${type}`);
      }
      this.storage.sql.exec("CREATE INDEX IF NOT EXISTS request_rows_time ON request_rows (created_at, id)");
      // Why a failed request failed, beside its row (few rows have one; failure.ts says what is kept).
      this.storage.sql.exec(`CREATE TABLE IF NOT EXISTS request_failures (
        id TEXT PRIMARY KEY, error_code TEXT, error_message TEXT NOT NULL)`);
      this.ready = true;
    }
    return this.storage.sql;
  }

  /** Adds rows; a row already here (a retried flush) is ignored by its id. Synchronous: one SQLite turn. */
  add(rows: LoggedRow[]): void {
    for (const r of rows) {
      this.sql.exec(
        `INSERT OR IGNORE INTO request_rows (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        r.id,
        r.createdAt,
        r.keyId,
        r.source,
        r.endpoint,
        r.model,
        r.requestedModel,
        r.provider,
        r.inputTokens,
        r.outputTokens,
        r.cachedInputTokens,
        r.cacheWriteTokens,
        r.costMicros,
        r.latencyMs,
        r.status,
        r.streamed ? 1 : 0,
        r.estimated ? 1 : 0,
        r.firstTokenMs,
      );
      if (r.errorMessage) {
        this.sql.exec(
          "INSERT OR IGNORE INTO request_failures (id, error_code, error_message) VALUES (?, ?, ?)",
          r.id,
          r.errorCode ?? null,
          r.errorMessage,
        );
      }
    }
  }

  /** The rows with their failures, where they have one. */
  private withFailures(rows: LoggedRow[]): LoggedRow[] {
    const failed = rows.filter((r) => r.status >= 400).map((r) => r.id);
    if (failed.length === 0) return rows;
    const found = new Map(
      this.sql
        .exec<{ id: string; error_code: string | null; error_message: string }>(
          "SELECT id, error_code, error_message FROM request_failures WHERE id IN (SELECT value FROM json_each(?))",
          JSON.stringify(failed),
        )
        .toArray()
        .map((f) => [f.id, { errorCode: f.error_code, errorMessage: f.error_message }]),
    );
    return rows.map((r) => {
      const f = found.get(r.id);
      return f ? { ...r, ...f } : r;
    });
  }

  /** Up to `limit` matching rows, newest first. */
  page(q: RowQuery, limit: number): LoggedRow[] {
    const w = where(q);
    const rows = this.sql
      .exec<SqlRow>(
        `SELECT ${COLUMNS} FROM request_rows WHERE ${w.sql} ORDER BY created_at DESC, id DESC LIMIT ?`,
        ...w.binds,
        limit,
      )
      .toArray()
      .map(toRow);
    return this.withFailures(rows);
  }

  byId(id: string): LoggedRow | null {
    const row = this.sql.exec<SqlRow>(`SELECT ${COLUMNS} FROM request_rows WHERE id = ?`, id).toArray()[0];
    return row ? this.withFailures([toRow(row)])[0]! : null;
  }

  /** The oldest rows created before `cutoff`, oldest first (what the next segment seals). */
  oldest(cutoff: number, limit: number): LoggedRow[] {
    const rows = this.sql
      .exec<SqlRow>(
        `SELECT ${COLUMNS} FROM request_rows WHERE created_at < ? ORDER BY created_at, id LIMIT ?`,
        cutoff,
        limit,
      )
      .toArray()
      .map(toRow);
    return this.withFailures(rows);
  }

  oldestAt(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT min(created_at) AS t FROM request_rows").one().t;
  }

  remove(ids: string[]): void {
    for (const table of ["request_rows", "request_failures"]) {
      this.sql.exec(`DELETE FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`, JSON.stringify(ids));
    }
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM request_rows").one().n;
  }

  /** Deletion: every row; returns how many went. */
  erase(): number {
    this.sql.exec("DELETE FROM request_failures");
    return this.sql.exec("DELETE FROM request_rows").rowsWritten;
  }
}
