// Sealed segments: the request log past its recent window, in R2 under the account's own prefix. A segment is
// up to SEGMENT_ROWS rows in time order, as compact JSON tuples, gzip-compressed, then encrypted with the
// account's data key (chunked AES-GCM bound to the object key, like logged content) — so erasing the account
// (its prefix, and the shredded key) leaves nothing readable. The object's SQLite keeps a small index per
// segment (time span, rows, the keys, models and statuses inside) so a query opens only segments that can match.
import { open, seal } from "../crypto/chunked";
import type { LoggedRow, RowQuery } from "./query";

const SEGMENTS_PREFIX = "request-log/";
export const segmentPrefix = (accountId: string) =>
  `${SEGMENTS_PREFIX}${accountId.replace(/[^A-Za-z0-9_-]/g, "_")}/`;

/** `request-log/<account>/<first created_at, 13 digits>-<first id>.seg`: a retried seal writes the same key. */
export function segmentKey(accountId: string, first: LoggedRow): string {
  const id = first.id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
  return `${segmentPrefix(accountId)}${String(first.createdAt).padStart(13, "0")}-${id}.seg`;
}

/** What the object's index says of one segment. */
export type SegmentInfo = {
  key: string;
  firstAt: number;
  lastAt: number;
  rows: number;
  bytes: number;
  keyVer: number;
  keys: (string | null)[];
  models: string[];
  statuses: number[];
  streamed: boolean[];
};

/** Whether any row of the segment can pass the query (its span and the sets it carries). */
export function mayMatch(s: SegmentInfo, q: RowQuery): boolean {
  if (s.lastAt < q.from || s.firstAt >= q.to) return false;
  if (q.before && s.firstAt > q.before.at) return false;
  if (q.keyId !== undefined && !s.keys.includes(q.keyId)) return false;
  if (q.model !== undefined && !s.models.includes(q.model)) return false;
  if (q.status === "ok" && !s.statuses.some((x) => x < 400)) return false;
  if (q.status === "error" && !s.statuses.some((x) => x >= 400)) return false;
  if (typeof q.status === "number" && !s.statuses.includes(q.status)) return false;
  if (q.streamed !== undefined && !s.streamed.includes(q.streamed)) return false;
  return true;
}

type Tuple = [
  string,
  number,
  string | null,
  string,
  string,
  string,
  string | null,
  string,
  number,
  number,
  number,
  number,
  number,
  0 | 1,
  0 | 1,
  // Cached input and cache writes, appended later: a segment sealed before them has neither (read as 0).
  number?,
  number?,
  // Time to first token, appended after those: older segments have none (read as null).
  (number | null)?,
];

/** Why failed rows failed, by row id: [error code, error message]. */
type Failures = Record<string, [string | null, string]>;

const toTuple = (r: LoggedRow): Tuple => [
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
  r.costMicros,
  r.latencyMs,
  r.status,
  r.streamed ? 1 : 0,
  r.estimated ? 1 : 0,
  r.cachedInputTokens,
  r.cacheWriteTokens,
  r.firstTokenMs,
];

const fromTuple = (t: Tuple): LoggedRow => ({
  id: t[0],
  createdAt: t[1],
  keyId: t[2],
  source: t[3],
  endpoint: t[4],
  model: t[5],
  requestedModel: t[6],
  provider: t[7],
  inputTokens: t[8],
  outputTokens: t[9],
  costMicros: t[10],
  latencyMs: t[11],
  status: t[12],
  streamed: t[13] === 1,
  estimated: t[14] === 1,
  cachedInputTokens: t[15] ?? 0,
  cacheWriteTokens: t[16] ?? 0,
  firstTokenMs: t[17] ?? null,
});

async function pipe(bytes: Uint8Array<ArrayBuffer>, stream: CompressionStream | DecompressionStream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

const context = (accountId: string, key: string, keyVer: number) =>
  `request-log|${accountId}|${key}|${keyVer}`;

/** The sealed bytes of a segment: JSON tuples → gzip → AES-GCM under the account's data key. */
export async function sealSegment(
  rows: LoggedRow[],
  accountId: string,
  key: string,
  dataKey: { key: CryptoKey; keyVer: number },
): Promise<Uint8Array<ArrayBuffer>> {
  // Failures ride beside the tuples, by id (few rows have one; older segments have none).
  const failures: Failures = {};
  for (const r of rows) if (r.errorMessage) failures[r.id] = [r.errorCode ?? null, r.errorMessage];
  const json = new TextEncoder().encode(JSON.stringify({ v: 1, rows: rows.map(toTuple), failures }));
  const packed = await pipe(json, new CompressionStream("gzip"));
  return seal(dataKey.key, context(accountId, key, dataKey.keyVer), packed);
}

export async function openSegment(
  sealed: Uint8Array<ArrayBuffer>,
  accountId: string,
  key: string,
  dataKey: { key: CryptoKey; keyVer: number },
): Promise<LoggedRow[]> {
  const packed = await open(dataKey.key, context(accountId, key, dataKey.keyVer), sealed);
  const json = await pipe(new Uint8Array(packed), new DecompressionStream("gzip"));
  const body = JSON.parse(new TextDecoder().decode(json)) as { v: 1; rows: Tuple[]; failures?: Failures };
  return body.rows.map((t) => {
    const row = fromTuple(t);
    const failure = body.failures?.[row.id];
    return failure ? { ...row, errorCode: failure[0], errorMessage: failure[1] } : row;
  });
}

/** The index entry of a segment about to be written. */
export function describeSegment(key: string, rows: LoggedRow[], bytes: number, keyVer: number): SegmentInfo {
  return {
    key,
    firstAt: rows[0]!.createdAt,
    lastAt: rows.at(-1)!.createdAt,
    rows: rows.length,
    bytes,
    keyVer,
    keys: [...new Set(rows.map((r) => r.keyId))],
    models: [...new Set(rows.map((r) => r.model))],
    statuses: [...new Set(rows.map((r) => r.status))],
    streamed: [...new Set(rows.map((r) => r.streamed))],
  };
}

/** The segment index in the object's SQLite. */
export class SegmentIndex {
  private ready = false;

  constructor(private readonly storage: DurableObjectStorage) {}

  private get sql() {
    if (!this.ready) {
      this.storage.sql.exec(`CREATE TABLE IF NOT EXISTS request_segments (
        key TEXT PRIMARY KEY, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, info TEXT NOT NULL)`);
      this.storage.sql.exec("CREATE INDEX IF NOT EXISTS request_segments_last ON request_segments (last_at)");
      this.ready = true;
    }
    return this.storage.sql;
  }

  put(info: SegmentInfo): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO request_segments (key, first_at, last_at, info) VALUES (?, ?, ?, ?)",
      info.key,
      info.firstAt,
      info.lastAt,
      JSON.stringify(info),
    );
  }

  /** Segments overlapping [from, to), the newest span first. */
  overlapping(from: number, to: number): SegmentInfo[] {
    return this.sql
      .exec<{ info: string }>(
        "SELECT info FROM request_segments WHERE last_at >= ? AND first_at < ? ORDER BY last_at DESC, key DESC",
        from,
        to,
      )
      .toArray()
      .map((r) => JSON.parse(r.info) as SegmentInfo);
  }

  /** Segments whose newest row is older than `cutoff` (expired), oldest first. */
  expired(cutoff: number, limit: number): SegmentInfo[] {
    return this.sql
      .exec<{ info: string }>(
        "SELECT info FROM request_segments WHERE last_at < ? ORDER BY last_at LIMIT ?",
        cutoff,
        limit,
      )
      .toArray()
      .map((r) => JSON.parse(r.info) as SegmentInfo);
  }

  oldestLastAt(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT min(last_at) AS t FROM request_segments").one().t;
  }

  remove(keys: string[]): void {
    this.sql.exec(
      "DELETE FROM request_segments WHERE key IN (SELECT value FROM json_each(?))",
      JSON.stringify(keys),
    );
  }

  totals(): { segments: number; rows: number; bytes: number } {
    const all = this.sql.exec<{ info: string }>("SELECT info FROM request_segments").toArray();
    let rows = 0;
    let bytes = 0;
    for (const r of all) {
      const info = JSON.parse(r.info) as SegmentInfo;
      rows += info.rows;
      bytes += info.bytes;
    }
    return { segments: all.length, rows, bytes };
  }

  erase(): number {
    return this.sql.exec("DELETE FROM request_segments").rowsWritten;
  }
}
