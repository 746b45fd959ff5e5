// The account's usage buffer inside its Durable Object: rows land in the object's SQLite storage (durable,
// one write per request, off the response path), then move to D1 in batches (ADR 020).

import { getTableColumns } from "drizzle-orm";
import { usageEvents } from "../../db/schema";
import type { Hosted } from "../account-object/hosted";
import { getDb } from "../db";
import type { UsageRow } from "./row";

/** How long a row may wait in the buffer before the alarm moves it to D1. */
const FLUSH_DELAY_MS = 1_000;
/** A full buffer is flushed at once rather than waiting for the alarm. */
const FLUSH_AT_ROWS = 500;
/** As many rows as stay under D1's 100 bound parameters per statement (18 columns: 5 rows). */
const ROWS_PER_STATEMENT = Math.floor(100 / Object.keys(getTableColumns(usageEvents)).length);
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
  ) {}

  private get sql() {
    if (!this.ready) {
      this.state.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS usage_buffer (id TEXT PRIMARY KEY, row TEXT NOT NULL)",
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

  private async moveAll(): Promise<number> {
    let moved = 0;
    for (;;) {
      const batch = this.sql
        .exec<{ id: string; row: string }>("SELECT id, row FROM usage_buffer LIMIT ?", ROWS_PER_BATCH)
        .toArray();
      if (batch.length === 0) return moved;
      await this.insert(batch.map((b) => JSON.parse(b.row) as UsageRow));
      // Delete only what was inserted: rows added while D1 was busy stay for the next round.
      for (const b of batch) this.sql.exec("DELETE FROM usage_buffer WHERE id = ?", b.id);
      moved += batch.length;
    }
  }

  /** Idempotent: a row already in D1 (a flush that died before deleting) is skipped by its primary key. */
  private async insert(rows: UsageRow[]): Promise<void> {
    const db = getDb(this.env.DB);
    const values = rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt) }));
    const statements = [];
    for (let i = 0; i < values.length; i += ROWS_PER_STATEMENT) {
      statements.push(
        db
          .insert(usageEvents)
          .values(values.slice(i, i + ROWS_PER_STATEMENT))
          .onConflictDoNothing(),
      );
    }
    const [first, ...rest] = statements;
    if (first) await db.batch([first, ...rest]);
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
    const erased = this.sql.exec("DELETE FROM usage_buffer").rowsWritten;
    this.dueAt = null;
    return erased;
  }
}
