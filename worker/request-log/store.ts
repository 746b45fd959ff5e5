// The request log inside the account's Durable Object (ADR 090): the recent window in its SQLite, older rows in
// sealed R2 segments under the account's prefix, both read as one log newest first. The alarm seals rows past
// the window (in segments of up to SEGMENT_ROWS) and deletes segments past the retention. Nothing per request
// stays in D1: the flush that brings rows here adds them to D1's hourly aggregates only (usage/hourly.ts).
import type { Hosted } from "../account-object/hosted";
import { getConfig } from "../config";
import type { DataKeyStore } from "../content/data-key-store";
import { log } from "../observability/log";
import { erasureBegun } from "../privacy/deletion/state";
import { DAY_MS, HOUR_MS } from "../time";
import { addToTally, emptyTally, type Tally } from "../usage/tally";
import { decodeCursor, encodeCursor, type LoggedRow, matches, newestFirst, type RowQuery } from "./query";
import {
  describeSegment,
  mayMatch,
  openSegment,
  SegmentIndex,
  type SegmentInfo,
  sealSegment,
  segmentKey,
} from "./segments";
import { RecentWindow } from "./window";

/** Rows per segment: ≈ 1 MB of JSON before compression, one R2 write per 5,000 requests. */
const SEGMENT_ROWS = 5_000;
/** Rows wait this long past the window before they are sealed, so a quiet account's segments are not tiny. */
const SEAL_SLACK_MS = 6 * HOUR_MS;
/** Segments sealed (or expired) per alarm; more work re-arms the alarm at once. */
const SEGMENTS_PER_ALARM = 20;
/** Decrypted segments kept in memory, for paging through one. */
const OPEN_SEGMENTS_KEPT = 4;
/** How far a row's time may lie after its id's (the request's latency): bounds the search for an id. */
const MAX_REQUEST_MS = 30 * 60_000;

const EXPORT_PAGE_ROWS = 500;

const META_ACCOUNT = "request-log:account";

export class RequestRows implements Hosted {
  readonly name = "request_log";
  readonly location =
    "the request log in the account's Durable Object (recent rows; older ones sealed in R2)";
  readonly window: RecentWindow;
  readonly segments: SegmentIndex;
  private wake: number | null | undefined;
  private readonly opened = new Map<string, LoggedRow[]>();
  private sealing: Promise<void> | undefined;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly keys: DataKeyStore,
  ) {
    this.window = new RecentWindow(ctx.storage);
    this.segments = new SegmentIndex(ctx.storage);
  }

  private get windowMs(): number {
    return getConfig(this.env).requestLog.windowHours * HOUR_MS;
  }

  private get retentionMs(): number {
    return getConfig(this.env).ai.usageRetentionDays * DAY_MS;
  }

  /** Takes flushed rows into the window (synchronous; a repeated id is ignored). */
  add(accountId: string, rows: LoggedRow[]): void {
    if (rows.length === 0) return;
    this.window.add(rows);
    void this.ctx.storage.put(META_ACCOUNT, accountId);
    if (this.wake !== undefined) {
      const due = Math.min(...rows.map((r) => r.createdAt)) + this.windowMs + SEAL_SLACK_MS;
      this.wake = this.wake === null ? due : Math.min(this.wake, due);
    }
  }

  // Reading -------------------------------------------------------------------------------------------------

  private async dataKey(accountId: string, create: boolean) {
    if (create) await this.keys.wrapped(accountId, true);
    return this.keys.usable(accountId);
  }

  private async rowsOf(accountId: string, s: SegmentInfo): Promise<LoggedRow[]> {
    const hit = this.opened.get(s.key);
    if (hit) return hit;
    const [dataKey, object] = await Promise.all([
      this.dataKey(accountId, false),
      this.env.CONTENT.get(s.key),
    ]);
    if (!dataKey || !object) return []; // shredded or erased: nothing readable is left
    const rows = await openSegment(new Uint8Array(await object.arrayBuffer()), accountId, s.key, dataKey);
    if (this.opened.size >= OPEN_SEGMENTS_KEPT) this.opened.delete(this.opened.keys().next().value as string);
    this.opened.set(s.key, rows);
    return rows;
  }

  /** Up to `limit` matching rows newest first, from the window and whichever segments can hold them. */
  async page(accountId: string, q: RowQuery, limit: number): Promise<LoggedRow[]> {
    let out = this.window.page(q, limit);
    for (const s of this.segments.overlapping(q.from, q.to)) {
      // Segments come newest span first: once the page is full, one ending before its last row adds nothing.
      const last = out[limit - 1];
      if (out.length >= limit && last && s.lastAt < last.createdAt) break;
      if (!mayMatch(s, q)) continue;
      const rows = (await this.rowsOf(accountId, s)).filter((r) => matches(r, q));
      if (rows.length === 0) continue;
      out = [...out, ...rows].sort(newestFirst).slice(0, limit);
    }
    return out;
  }

  /** Every matching row, newest first, page by page (for sums, the models list and the export). */
  async *scan(accountId: string, q: RowQuery, pageRows = 1_000): AsyncGenerator<LoggedRow[]> {
    let before = q.before;
    for (;;) {
      const rows = await this.page(accountId, { ...q, ...(before ? { before } : {}) }, pageRows);
      if (rows.length > 0) yield rows;
      if (rows.length < pageRows) return;
      const last = rows.at(-1)!;
      before = { at: last.createdAt, id: last.id };
    }
  }

  /** One row by id: the window, else the segments around the time its id carries (UUIDv7), else all. */
  async byId(accountId: string, id: string): Promise<LoggedRow | null> {
    const recent = this.window.byId(id);
    if (recent) return recent;
    const minted = uuidV7Time(id);
    const [from, to] = minted === null ? [0, Number.MAX_SAFE_INTEGER] : [minted, minted + MAX_REQUEST_MS];
    for (const s of this.segments.overlapping(from, to)) {
      const row = (await this.rowsOf(accountId, s)).find((r) => r.id === id);
      if (row) return row;
    }
    return null;
  }

  /** The matching rows summed per group (GET /api/usage over short ranges: exact to the millisecond). */
  async sums(accountId: string, q: RowQuery, groupBy: RowGroup): Promise<RowSums[]> {
    const groups = new Map<string, RowSums>();
    for await (const rows of this.scan(accountId, q, 5_000)) {
      for (const r of rows) {
        const group = groupOf(r, groupBy);
        let g = groups.get(group);
        if (!g) {
          g = { group, ...emptyTally() };
          groups.set(group, g);
        }
        addToTally(g, r);
      }
    }
    return [...groups.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  }

  // The alarm: seal and expire -----------------------------------------------------------------------------

  async nextWake(): Promise<number | null> {
    if (this.wake === undefined) {
      const oldestRow = this.window.oldestAt();
      const oldestSegment = this.segments.oldestLastAt();
      const wakes = [
        oldestRow === null ? null : oldestRow + this.windowMs + SEAL_SLACK_MS,
        oldestSegment === null ? null : oldestSegment + this.retentionMs,
      ].filter((t): t is number => t !== null);
      this.wake = wakes.length ? Math.min(...wakes) : null;
    }
    return this.wake;
  }

  async onAlarm(now: number): Promise<void> {
    const due = await this.nextWake();
    if (due === null || due > now) return;
    await this.seal(now);
  }

  /** Seals every row older than the window into segments, and deletes segments past the retention. */
  seal(now = Date.now()): Promise<void> {
    this.sealing ??= this.sealAndExpire(now).finally(() => {
      this.sealing = undefined;
      this.wake = undefined; // worked out again from what is left
    });
    return this.sealing;
  }

  private async sealAndExpire(now: number): Promise<void> {
    if (await erasureBegun(this.ctx.storage)) return;
    const accountId = await this.ctx.storage.get<string>(META_ACCOUNT);
    let budget = SEGMENTS_PER_ALARM;
    const expired = this.segments.expired(now - this.retentionMs, budget);
    if (expired.length > 0) {
      await this.env.CONTENT.delete(expired.map((s) => s.key));
      this.segments.remove(expired.map((s) => s.key));
      for (const s of expired) this.opened.delete(s.key);
      budget -= expired.length;
    }
    if (!accountId) return;
    const cutoff = now - this.windowMs;
    for (; budget > 0; budget--) {
      const rows = this.window.oldest(cutoff, SEGMENT_ROWS);
      if (rows.length === 0) return;
      const dataKey = await this.dataKey(accountId, true);
      if (!dataKey) {
        // No MASTER_KEY (or a shredded key): the rows stay in the window, unsealed, rather than in clear text.
        log.warn("request log: no data key to seal a segment with");
        return;
      }
      const key = segmentKey(accountId, rows[0]!);
      const sealed = await sealSegment(rows, accountId, key, dataKey);
      await this.env.CONTENT.put(key, sealed, {
        customMetadata: { acct: accountId, keyVer: String(dataKey.keyVer) },
      });
      // The index entry and the window's deletion commit in one turn, after the object is safely in R2.
      this.segments.put(describeSegment(key, rows, sealed.length, dataKey.keyVer));
      this.window.remove(rows.map((r) => r.id));
    }
  }

  // Export, deletion, the promise check --------------------------------------------------------------------

  /** What is left in the object (rows in the window, segments indexed): 0 and 0 after a deletion. */
  left(): { rows: number; segments: number; sealedRows: number; sealedBytes: number } {
    const t = this.segments.totals();
    return { rows: this.window.count(), segments: t.segments, sealedRows: t.rows, sealedBytes: t.bytes };
  }

  /** One page of the export, oldest rows last (newest first, like the log); `next` resumes after the page. */
  async exportPage(
    accountId: string,
    cursor: string | null,
  ): Promise<{ rows: unknown[]; next: string | null }> {
    const before = cursor ? decodeCursor(cursor) : undefined;
    const q: RowQuery = { from: 0, to: Number.MAX_SAFE_INTEGER, ...(before ? { before } : {}) };
    const rows = await this.page(accountId, q, EXPORT_PAGE_ROWS);
    const last = rows.at(-1);
    return {
      rows: rows.map((r) => ({
        id: r.id,
        key_id: r.keyId,
        source: r.source,
        endpoint: r.endpoint,
        model: r.model,
        requested_model: r.requestedModel,
        provider: r.provider,
        input_tokens: r.inputTokens,
        output_tokens: r.outputTokens,
        cached_input_tokens: r.cachedInputTokens,
        cache_write_tokens: r.cacheWriteTokens,
        cost_usd: r.costMicros / 1_000_000,
        latency_ms: r.latencyMs,
        first_token_ms: r.firstTokenMs,
        status: r.status,
        streamed: r.streamed,
        estimated: r.estimated,
        created_at: new Date(r.createdAt).toISOString(),
      })),
      next: rows.length === EXPORT_PAGE_ROWS && last ? encodeCursor(last) : null,
    };
  }

  /** Nothing waits here for D1: the rows are already where the log reads them. */
  async flush(): Promise<void> {}

  /** Deletion: the window and the index (the R2 segments go with the account's prefix, see holders). */
  async erase(): Promise<number> {
    const erased = this.window.erase() + this.segments.erase();
    this.opened.clear();
    this.wake = null;
    return erased;
  }
}

export type RowGroup = "hour" | "day" | "model" | "key";
export type RowSums = Tally & { group: string };

function groupOf(r: LoggedRow, by: RowGroup): string {
  if (by === "hour") return `${new Date(r.createdAt).toISOString().slice(0, 13)}:00:00Z`;
  if (by === "day") return new Date(r.createdAt).toISOString().slice(0, 10);
  if (by === "model") return r.model;
  return r.keyId ?? `source:${r.source}`;
}

/** The ms timestamp a UUIDv7 carries (its first 48 bits); null for any other id. */
function uuidV7Time(id: string): number | null {
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.exec(id);
  return m ? Number.parseInt(`${m[1]}${m[2]}`, 16) : null;
}
