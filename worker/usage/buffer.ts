// The account's usage buffer inside its Durable Object: rows land in the object's SQLite storage (durable,
// one write per request, off the response path), then move in batches (ADR 020, 090): their sums to D1's
// hourly aggregates, the rows themselves to the account's request log (in this same object).

import { isLegacyFlushId, legacyFlushApplied, nextFlushSeq } from "../account-object/flush-seq";
import type { Hosted } from "../account-object/hosted";
import { loggedRow } from "../request-log/query";
import type { RequestRows } from "../request-log/store";
import { addToHourly } from "./hourly";
import type { UsageRow } from "./row";

/** How long a row may wait in the buffer before the alarm moves it on. */
const FLUSH_DELAY_MS = 1_000;
/** A full buffer is flushed at once rather than waiting for the alarm. */
const FLUSH_AT_ROWS = 500;
const ROWS_PER_BATCH = 600;

export class UsageBuffer implements Hosted {
  readonly name = "usage_buffer";
  readonly location = "usage rows still buffered in the account's Durable Object";
  private ready = false;
  private flushing: Promise<number> | undefined;
  /** When the buffered rows are due in D1: null when none wait, undefined until known (a fresh object). */
  private dueAt: number | null | undefined;

  constructor(
    private readonly state: DurableObjectState,
    private readonly env: Env,
    private readonly log: RequestRows,
  ) {}

  private get sql() {
    if (!this.ready) {
      this.state.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS usage_buffer (id TEXT PRIMARY KEY, row TEXT NOT NULL)",
      );
      this.state.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS usage_flush_pending (id TEXT PRIMARY KEY, usage_ids TEXT NOT NULL)",
      );
      this.ready = true;
    }
    return this.state.storage.sql;
  }

  /** Stores one row durably; a retried call with the same id is a no-op. */
  async add(row: UsageRow): Promise<void> {
    this.sql.exec("INSERT OR IGNORE INTO usage_buffer (id, row) VALUES (?, ?)", row.id, JSON.stringify(row));
    this.added += 1;
    if (this.added % FLUSH_AT_ROWS === 0 && this.pending() >= FLUSH_AT_ROWS) {
      await this.flush();
      return;
    }
    // The first row of an empty buffer sets the time; later ones ride along with it.
    this.dueAt ??= Date.now() + FLUSH_DELAY_MS;
  }

  /** Rows added since the object started; a full-buffer check every FLUSH_AT_ROWS rows is enough. */
  private added = 0;

  pending(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM usage_buffer").one().n;
  }

  /** Flushes started so far: a reader of D1 plus this buffer knows whether one ran while it read. */
  flushes = 0;

  /** A flush is moving rows (they may sit in D1 and here at once). */
  get busy(): boolean {
    return this.flushing !== undefined;
  }

  /** Resolves once no flush is in flight (whether it succeeded or not). */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
  }

  /** What the buffered rows of one key created since `from` cost, micro-USD. */
  costOf(keyId: string, from: number): number {
    return this.sql
      .exec<{ cost: number }>(
        `SELECT coalesce(sum(json_extract(row, '$.costMicros')), 0) AS cost FROM usage_buffer
         WHERE json_extract(row, '$.keyId') = ? AND json_extract(row, '$.createdAt') >= ?`,
        keyId,
        from,
      )
      .one().cost;
  }

  /** Moves every buffered row to D1; returns how many moved. One flush at a time; callers share it. */
  flush(): Promise<number> {
    if (!this.flushing) this.flushes += 1;
    this.flushing ??= this.moveAll().then(
      (moved) => {
        this.flushing = undefined;
        // Rows added while D1 was busy wait their usual delay.
        this.dueAt = this.pending() > 0 ? Date.now() + FLUSH_DELAY_MS : null;
        return moved;
      },
      (error: unknown) => {
        this.flushing = undefined;
        // D1 failed: the rows stay, and the next try comes a little later.
        this.dueAt = Date.now() + FLUSH_DELAY_MS * 5;
        throw error;
      },
    );
    return this.flushing;
  }

  /** The flush being sent (its number and exact rows), saved before the D1 call so a retry sends the same one. */
  private pendingFlush(): { id: string; ids: string[] } | undefined {
    const row = this.sql
      .exec<{ id: string; usage_ids: string }>("SELECT id, usage_ids FROM usage_flush_pending LIMIT 1")
      .toArray()[0];
    return row && { id: row.id, ids: JSON.parse(row.usage_ids) as string[] };
  }

  private async moveAll(): Promise<number> {
    let moved = 0;
    for (;;) {
      let pending = this.pendingFlush();
      let batch: { id: string; row: string }[];
      if (pending) {
        batch = this.sql
          .exec<{ id: string; row: string }>(
            "SELECT id, row FROM usage_buffer WHERE id IN (SELECT value FROM json_each(?))",
            JSON.stringify(pending.ids),
          )
          .toArray();
      } else {
        batch = this.sql
          .exec<{ id: string; row: string }>("SELECT id, row FROM usage_buffer LIMIT ?", ROWS_PER_BATCH)
          .toArray();
        if (batch.length === 0) return moved;
        pending = { id: String(nextFlushSeq(this.sql, "usage")), ids: batch.map((b) => b.id) };
        this.sql.exec(
          "INSERT INTO usage_flush_pending (id, usage_ids) VALUES (?, ?)",
          pending.id,
          JSON.stringify(pending.ids),
        );
      }
      const rows = batch.map((b) => JSON.parse(b.row) as UsageRow);
      const [first] = rows;
      if (first && isLegacyFlushId(pending.id)) {
        // Saved by the release before flush numbers: applied if its id reached the old table; else it is sent
        // again under a number, saved first (a lost answer then retries that number).
        if (!(await legacyFlushApplied(this.env.DB, "usage_flushes", pending.id))) {
          const seq = String(nextFlushSeq(this.sql, "usage"));
          this.sql.exec("UPDATE usage_flush_pending SET id = ? WHERE id = ?", seq, pending.id);
          pending = { ...pending, id: seq };
        }
      }
      if (first && !isLegacyFlushId(pending.id))
        await addToHourly(this.env.DB, { accountId: first.accountId, seq: Number(pending.id) }, rows);
      // In one turn: the rows join the request log, leave the buffer, and the flush is done. Rows added while
      // D1 was busy stay for the next round.
      if (first) this.log.add(first.accountId, rows.map(loggedRow));
      for (const b of batch) this.sql.exec("DELETE FROM usage_buffer WHERE id = ?", b.id);
      this.sql.exec("DELETE FROM usage_flush_pending WHERE id = ?", pending.id);
      moved += batch.length;
    }
  }

  async nextWake(): Promise<number | null> {
    if (this.dueAt === undefined) this.dueAt = this.pending() > 0 ? Date.now() : null;
    return this.dueAt;
  }

  /** The alarm's share of work: whatever fired it, move what waits (a failed flush sets a later wake). */
  async onAlarm(_now: number): Promise<void> {
    if ((await this.nextWake()) !== null) await this.flush();
  }

  /** Deletion: drops the buffered rows, so no later flush can write them back to D1. */
  async erase(): Promise<number> {
    this.sql.exec("DELETE FROM usage_flush_pending"); // names buffered rows only, counted with them
    const erased = this.sql.exec("DELETE FROM usage_buffer").rowsWritten;
    this.dueAt = null;
    return erased;
  }
}
