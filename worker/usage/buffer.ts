// The account's usage buffer inside its Durable Object: rows land in the object's SQLite storage (durable,
// one write per request, off the response path), then move to D1 in batches (ADR 020).

import { usageEvents } from "../../db/schema";
import { getDb } from "../db";
import type { UsageRow } from "./row";

/** How long a row may wait in the buffer before the alarm moves it to D1. */
export const FLUSH_DELAY_MS = 1_000;
/** A full buffer is flushed at once rather than waiting for the alarm. */
const FLUSH_AT_ROWS = 500;
/** 16 columns × 6 rows stays under D1's 100 bound parameters per statement. */
const ROWS_PER_STATEMENT = 6;
const ROWS_PER_BATCH = 600;

export class UsageBuffer {
  private ready = false;
  private flushing: Promise<number> | undefined;
  /** When the alarm is known to fire (cached so each row costs one SQLite write, not three operations). */
  private alarmAt: number | null | undefined;

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
    await this.wakeIn(FLUSH_DELAY_MS);
  }

  /** Rows added since the object started; a full-buffer check every FLUSH_AT_ROWS rows is enough. */
  private added = 0;

  pending(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM usage_buffer").one().n;
  }

  /** Moves every buffered row to D1; returns how many moved. One flush at a time; callers share it. */
  flush(): Promise<number> {
    this.flushing ??= this.moveAll().finally(() => {
      this.flushing = undefined;
    });
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

  /** Arms the object's alarm no later than `ms` from now, never postponing an earlier alarm another capability set. */
  private async wakeIn(ms: number): Promise<void> {
    const at = Date.now() + ms;
    if (
      this.alarmAt !== undefined &&
      this.alarmAt !== null &&
      this.alarmAt <= at &&
      this.alarmAt > Date.now()
    )
      return;
    const current = await this.state.storage.getAlarm();
    if (current === null || current > at) {
      await this.state.storage.setAlarm(at);
      this.alarmAt = at;
    } else {
      this.alarmAt = current;
    }
  }

  /** The alarm's share of work: flush, and if rows remain (D1 failed), try again later. */
  async onAlarm(): Promise<void> {
    this.alarmAt = undefined;
    try {
      await this.flush();
    } finally {
      if (this.pending() > 0) await this.wakeIn(FLUSH_DELAY_MS * 5);
    }
  }
}
