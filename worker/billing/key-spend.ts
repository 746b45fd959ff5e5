// Each API key's month-to-date spend, kept by the account's object beside its leases (ADR 026): every metered
// row passes through the object, so once a key is tracked its figure is exact; a key first seen in a month is
// loaded once from D1's usage aggregates plus the rows still buffered here. The limit itself comes with each
// ask (from the isolate's cached key), so the object stores spend, never limits.
import type { UsageBuffer } from "../usage/buffer";
import { monthStart, type Spend, spendAfter, spentIn } from "./key-spend-month";

/** A key's limit as the isolate knows it (micro-USD per UTC month). */
export type KeyLimit = { keyId: string; limit: number };

/** A load that keeps meeting a flush in flight gives up after this many tries and counts what it read. */
const LOAD_ATTEMPTS = 8;

export class KeySpend {
  private ready = false;
  private readonly spend = new Map<string, Spend>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(
    private readonly state: DurableObjectState,
    private readonly env: Env,
    private readonly usage: UsageBuffer,
  ) {}

  private get sql() {
    if (!this.ready) {
      const sql = this.state.storage.sql;
      sql.exec(
        "CREATE TABLE IF NOT EXISTS key_spend (key_id TEXT PRIMARY KEY, month INTEGER NOT NULL, spent INTEGER NOT NULL)",
      );
      for (const row of sql.exec<{ key_id: string; month: number; spent: number }>(
        "SELECT key_id, month, spent FROM key_spend",
      )) {
        this.spend.set(row.key_id, { month: row.month, spent: row.spent });
      }
      this.ready = true;
    }
    return this.state.storage.sql;
  }

  private save(keyId: string, s: Spend): void {
    this.sql.exec(
      "INSERT INTO key_spend (key_id, month, spent) VALUES (?, ?, ?) ON CONFLICT (key_id) DO UPDATE SET month = excluded.month, spent = excluded.spent",
      keyId,
      s.month,
      s.spent,
    );
  }

  /** A metered row's cost counts toward its key's month (a key not yet tracked is counted when it is loaded). */
  add(keyId: string, cost: number, at: number): void {
    void this.sql; // loads what an earlier life of this object tracked
    const s = this.spend.get(keyId);
    const next = s && spendAfter(s, cost, at);
    if (!next) return;
    this.spend.set(keyId, next);
    this.save(keyId, next);
  }

  /** Makes sure the key is tracked (the first time in this object: one D1 read). */
  async ensure(accountId: string, keyId: string): Promise<void> {
    void this.sql;
    if (this.spend.has(keyId)) return;
    let loading = this.loading.get(keyId);
    if (!loading) {
      loading = this.load(accountId, keyId).finally(() => this.loading.delete(keyId));
      this.loading.set(keyId, loading);
    }
    await loading;
  }

  /** The key's spend in the month holding `now`; call ensure() first (0 for a key not tracked). */
  spentNow(keyId: string, now: number): number {
    return spentIn(this.spend.get(keyId), now);
  }

  /**
   * D1's aggregates (exact: kept by a trigger on every inserted usage row, whatever the raw retention) plus the
   * rows still buffered here. A flush during the read could count a row in both, so such a read is repeated.
   */
  private async load(accountId: string, keyId: string): Promise<void> {
    const month = monthStart(Date.now());
    for (let attempt = 1; ; attempt++) {
      await this.usage.idle();
      const flushes = this.usage.flushes;
      const row = await this.env.DB.prepare(
        `SELECT (SELECT coalesce(sum(cost_micros), 0) FROM usage_hourly WHERE account_id = ?1 AND key = ?2 AND hour >= ?3)
              + (SELECT coalesce(sum(cost_micros), 0) FROM usage_daily WHERE account_id = ?1 AND key = ?2 AND day >= ?3)
              AS spent`,
      )
        .bind(accountId, keyId, month)
        .first<{ spent: number }>();
      if ((this.usage.flushes !== flushes || this.usage.busy) && attempt < LOAD_ATTEMPTS) continue;
      // No await from here on: what is buffered now and the tracking that counts every later row start together.
      if (this.spend.has(keyId)) return;
      const s = { month, spent: (row?.spent ?? 0) + this.usage.costOf(keyId, month) };
      this.spend.set(keyId, s);
      this.save(keyId, s);
      return;
    }
  }

  /** Deletion: forgets every key's spend. */
  erase(): number {
    const n = this.sql.exec("DELETE FROM key_spend").rowsWritten;
    this.spend.clear();
    return n;
  }
}
