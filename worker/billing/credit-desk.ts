// The account's credit desk, inside its Durable Object: one account's reservations are decided here one at
// a time, holds live in memory, and settled usage waits in the object's SQLite until the alarm moves it to
// the D1 ledger in batches, summed into one entry per account and UTC hour. D1 stays the ledger of record;
// no request waits on a D1 write (ADR 040).
import {
  appliedOrGone,
  type FlushStream,
  isLegacyFlushId,
  legacyFlushApplied,
  markApplied,
  nextFlushSeq,
  unapplied,
} from "../account-object/flush-seq";
import type { Hosted } from "../account-object/hosted";
import { getDb } from "../db";
import { log } from "../observability/log";
import { HOUR_MS } from "../time";
import type { UsageBuffer } from "../usage/buffer";
import { type KeyLimit, KeySpend } from "./key-spend";
import { type LeaseAsk, LeaseBook, SeenUsage } from "./lease-book";
import { leaseTtl } from "./lease-terms";
import { cachedBalance, ensureBillingAccount } from "./ledger";
import { sendLowBalanceNotice } from "./low-balance";
import { LOW_BALANCE_MICROS } from "./plans";

/** A hold whose request never settles (its isolate died) stops counting after this. */
const HOLD_TTL_MS = 30 * 60 * 1000;
/** D1's balance is re-read at least this often, so a lost invalidation is corrected quickly. */
const BALANCE_TTL_MS = 10_000;
/** How long a settled debit may wait in the object before it reaches the D1 ledger. */
const FLUSH_DELAY_MS = 1_000;
const FLUSH_AT_ROWS = 200;
const ROWS_PER_BATCH = 600;

/**
 * The ledger entry that sums an account's usage debits of one UTC hour.
 * @internal
 */
export const usageReference = (hour: number) => `usage:${hour}`;
const usageReason = (hour: number) =>
  `Usage, ${new Date(hour).toISOString().slice(0, 13).replace("T", " ")}:00 UTC`;

const STREAM: FlushStream = "credit";

type Debit = { usage_id: string; account_id: string; amount: number; created_at: number };

/** A reservation refused because the key's monthly spend limit (not the balance) cannot cover it. */
export type KeyLimitRefusal = { refused: "key_spend_limit" };

/**
 * What a lease renewal hands back: the account slice added, its validity, each key's allowance added, and whether
 * the lease is live (false: revoked, expired or never granted — the isolate drops it). A usage batch's reply
 * carries `live` alone (granted 0) for the lease its isolate holds.
 */
export type LeaseGrant = { granted: number; ttlMs: number; keys?: Record<string, number>; live?: boolean };

export class CreditDesk implements Hosted {
  readonly name = "credit_buffer";
  readonly location = "metered charges still buffered in the account's Durable Object";
  private ready = false;
  private readonly holds = new Map<string, { amount: number; expiresAt: number; keyId?: string }>();
  /** Slices of the balance lent to isolates, held like reservations until debited, given back or expired. */
  private readonly leases: LeaseBook;
  /** D1's balance (which excludes debits still buffered here), as last read or written. */
  private ledgerBalance: number | undefined;
  private loadedAt = 0;
  /** Bumped whenever D1's balance may have changed, so an older read in flight is not trusted. */
  private generation = 0;
  private flushing: Promise<void> | undefined;
  /** Sum and count of the buffered debits, mirrored in memory so the hot path runs no query. */
  private bufferedMicros = 0;
  private bufferedRows = 0;
  /** When the buffered debits are due in D1; null when none wait. */
  private dueAt: number | null = null;

  constructor(
    private readonly state: DurableObjectState,
    private readonly env: Env,
    usage: UsageBuffer,
  ) {
    this.leases = new LeaseBook(state);
    this.seen = new SeenUsage(state);
    this.keySpend = new KeySpend(state, env, usage);
  }

  /** Each limited key's month-to-date spend (ADR 026): every metered row of the account passes through here. */
  readonly keySpend: KeySpend;

  /** The usage ids already metered here, so a retried batch settles nothing twice. */
  readonly seen: SeenUsage;

  private get sql() {
    if (!this.ready) {
      this.state.storage.sql.exec(
        `CREATE TABLE IF NOT EXISTS credit_debits (
           usage_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, amount INTEGER NOT NULL, created_at INTEGER NOT NULL)`,
      );
      this.state.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS credit_flush_pending (id TEXT PRIMARY KEY, usage_ids TEXT NOT NULL)",
      );
      // The in-memory mirror starts from what an earlier life of this object left buffered.
      const left = this.state.storage.sql
        .exec<{ total: number; n: number }>(
          "SELECT coalesce(sum(amount), 0) AS total, count(*) AS n FROM credit_debits",
        )
        .one();
      this.bufferedMicros = left.total;
      this.bufferedRows = left.n;
      this.ready = true;
    }
    return this.state.storage.sql;
  }

  private held(now: number): number {
    let total = this.leases.held(now);
    for (const [id, hold] of this.holds) {
      if (hold.expiresAt <= now) this.holds.delete(id);
      else total += hold.amount;
    }
    return total;
  }

  /** What a key may still reserve this month: its limit less its spend, its live allowances and its holds. */
  private keyRemaining(key: KeyLimit, now: number): number {
    let held = this.leases.heldForKey(key.keyId, now);
    for (const hold of this.holds.values())
      if (hold.keyId === key.keyId && hold.expiresAt > now) held += hold.amount;
    return key.limit - this.keySpend.spentNow(key.keyId, now) - held;
  }

  /** D1's balance, re-read when stale; a read overtaken by a newer one is discarded and retried. */
  private async balance(accountId: string): Promise<number> {
    if (this.ledgerBalance !== undefined && Date.now() - this.loadedAt < BALANCE_TTL_MS) {
      return this.ledgerBalance;
    }
    const generation = this.generation;
    const db = getDb(this.env.DB);
    let value = await cachedBalance(db, accountId);
    if (value === undefined) {
      await ensureBillingAccount(db, accountId);
      value = (await cachedBalance(db, accountId)) ?? 0;
    }
    if (generation !== this.generation) return this.balance(accountId);
    this.ledgerBalance = value;
    this.loadedAt = Date.now();
    return value;
  }

  /**
   * Holds `amount` if the balance minus buffered debits and live holds covers it (and is positive); returns
   * the hold's id, or null. The check and the hold happen with no await between them, so concurrent
   * requests of the account can never jointly hold more than it has. With `key`, the key's remaining monthly
   * limit must cover it too (checked first, the same way).
   */
  async reserve(accountId: string, amount: number, key?: KeyLimit): Promise<string | null | KeyLimitRefusal> {
    const balance = await this.balance(accountId);
    if (key) await this.keySpend.ensure(accountId, key.keyId);
    const now = Date.now();
    void this.sql; // creates the table and loads the buffered mirror on first use
    if (key && this.keyRemaining(key, now) < Math.max(amount, 1)) return { refused: "key_spend_limit" };
    if (balance - this.bufferedMicros - this.held(now) < Math.max(amount, 1)) return null;
    const id = crypto.randomUUID();
    this.holds.set(id, { amount, expiresAt: now + HOLD_TTL_MS, keyId: key?.keyId });
    return id;
  }

  /**
   * Renews an isolate's lease (ADR 026): takes back what it gives back, then adds up to `wanted` out of what is
   * available (balance − buffered debits − holds − every live lease), and extends it. Each limited key in the
   * ask likewise gets up to its `wanted` out of its remaining monthly limit. Returns what was added.
   */
  async lease(accountId: string, ask: LeaseAsk): Promise<LeaseGrant> {
    this.leases.giveBack(ask.leaseId, ask.giveBack);
    for (const key of ask.keys ?? []) this.leases.giveBackKey(ask.leaseId, key.keyId, key.giveBack);
    if (ask.end) {
      this.leases.end(ask.leaseId);
      return { granted: 0, ttlMs: 0, live: false };
    }
    const balance = await this.balance(accountId);
    const wanted = (ask.keys ?? []).filter((key) => key.wanted > 0);
    for (const key of wanted) await this.keySpend.ensure(accountId, key.keyId);
    const now = Date.now();
    void this.sql; // creates the table and loads the buffered mirror on first use
    // No await from here on: the check and the grant see the same state.
    const available = balance - this.bufferedMicros - this.held(now);
    const ttlMs = leaseTtl(ask.ttlMs);
    const granted = this.leases.grant(ask.leaseId, ask.wanted, available, now, ttlMs);
    const live = this.leases.live(ask.leaseId, now);
    if (wanted.length === 0) return { granted, ttlMs, live };
    const keys: Record<string, number> = {};
    for (const key of wanted) {
      keys[key.keyId] = this.leases.grantKey(ask.leaseId, key.keyId, key.wanted, this.keyRemaining(key, now));
    }
    return { granted, ttlMs, keys, live };
  }

  /** What a usage batch's reply says of the lease its isolate holds (nothing granted, only whether it is live). */
  leaseState(leaseId: string): LeaseGrant {
    return { granted: 0, ttlMs: 0, live: this.leases.live(leaseId, Date.now()) };
  }

  /**
   * A metered request reserved against a lease: its debit is buffered and comes off the lease (and off its
   * key's allowance there when it reserved from one).
   */
  debitLease(leaseId: string, cost: number, keyId?: string | null): void {
    const now = Date.now();
    this.leases.debit(leaseId, cost, now);
    if (keyId) this.leases.debitKey(leaseId, keyId, cost, now);
  }

  /** Releases a hold and buffers the metered debit durably; settling one usage twice debits once. */
  async settle(holdId: string, accountId: string, cost: number, usageId: string): Promise<void> {
    this.holds.delete(holdId);
    if (cost <= 0) return;
    const inserted = this.sql.exec(
      "INSERT OR IGNORE INTO credit_debits (usage_id, account_id, amount, created_at) VALUES (?, ?, ?, ?)",
      usageId,
      accountId,
      cost,
      Date.now(),
    ).rowsWritten;
    if (inserted > 0) {
      this.bufferedMicros += cost;
      this.bufferedRows += 1;
    }
    if (this.bufferedRows >= FLUSH_AT_ROWS) await this.flush();
    else this.dueAt ??= Date.now() + FLUSH_DELAY_MS;
  }

  /** D1's balance changed outside this object (a payment, refund, adjustment): read it again. */
  invalidate(): void {
    this.generation += 1;
    this.ledgerBalance = undefined;
  }

  /**
   * A webhook changed the balance: it is read again now, and when what is left (balance − buffered debits − holds −
   * leases) went below zero — a refund, dispute or chargeback took back credit already lent — every lease is
   * revoked, so no isolate admits another request on it once it hears from this object (ADR 040).
   */
  async changed(accountId: string): Promise<void> {
    this.invalidate();
    const balance = await this.balance(accountId);
    void this.sql; // loads the buffered mirror on first use
    if (balance - this.bufferedMicros - this.held(Date.now()) < 0) this.leases.revokeAll();
  }

  /** Moves every buffered debit to the D1 ledger. One flush at a time; concurrent callers share it. */
  flush(): Promise<void> {
    this.flushing ??= this.moveAll().then(
      () => {
        this.flushing = undefined;
        // Debits settled while D1 was busy wait their usual delay.
        this.dueAt = this.bufferedRows > 0 ? Date.now() + FLUSH_DELAY_MS : null;
      },
      (error: unknown) => {
        this.flushing = undefined;
        // D1 failed: the debits stay, and the next try comes a little later.
        this.dueAt = Date.now() + FLUSH_DELAY_MS * 5;
        throw error;
      },
    );
    return this.flushing;
  }

  /** The flush being sent (its id and exact rows), saved before the D1 call so a retry sends the same one. */
  private pendingFlush(): { id: string; ids: string[] } | undefined {
    const row = this.sql
      .exec<{ id: string; usage_ids: string }>("SELECT id, usage_ids FROM credit_flush_pending LIMIT 1")
      .toArray()[0];
    return row && { id: row.id, ids: JSON.parse(row.usage_ids) as string[] };
  }

  private async moveAll(): Promise<void> {
    for (;;) {
      let pending = this.pendingFlush();
      let rows: Debit[];
      if (pending) {
        rows = this.sql
          .exec<Debit>(
            "SELECT usage_id, account_id, amount, created_at FROM credit_debits WHERE usage_id IN (SELECT value FROM json_each(?))",
            JSON.stringify(pending.ids),
          )
          .toArray();
      } else {
        rows = this.sql
          .exec<Debit>(
            "SELECT usage_id, account_id, amount, created_at FROM credit_debits ORDER BY created_at LIMIT ?",
            ROWS_PER_BATCH,
          )
          .toArray();
        if (rows.length === 0) {
          // Nothing buffered: the mirror says so too (another view of this state may have erased the rows).
          this.bufferedMicros = 0;
          this.bufferedRows = 0;
          return;
        }
        pending = { id: String(nextFlushSeq(this.sql, STREAM)), ids: rows.map((r) => r.usage_id) };
        this.sql.exec(
          "INSERT INTO credit_flush_pending (id, usage_ids) VALUES (?, ?)",
          pending.id,
          JSON.stringify(pending.ids),
        );
      }
      if (rows.length > 0 && isLegacyFlushId(pending.id)) {
        // Saved by the release before flush numbers: applied if its id reached the old table; else it is sent
        // again under a number, saved first (a lost answer then retries that number).
        if (await legacyFlushApplied(this.env.DB, "credit_flushes", pending.id)) this.invalidate();
        else {
          const seq = String(nextFlushSeq(this.sql, STREAM));
          this.sql.exec("UPDATE credit_flush_pending SET id = ? WHERE id = ?", seq, pending.id);
          pending = { ...pending, id: seq };
        }
      }
      if (rows.length > 0 && !isLegacyFlushId(pending.id)) await this.write(Number(pending.id), rows);
      // Only what was written: debits settled while D1 was busy stay for the next round.
      for (const row of rows) this.forget(row);
      this.sql.exec("DELETE FROM credit_flush_pending WHERE id = ?", pending.id);
    }
  }

  private forget(row: Debit): void {
    this.sql.exec("DELETE FROM credit_debits WHERE usage_id = ?", row.usage_id);
    this.bufferedMicros -= row.amount;
    this.bufferedRows -= 1;
  }

  /**
   * One D1 batch (one transaction): the debits summed into one ledger entry per account and UTC hour (created,
   * or grown in place) while flush number `seq` is above the account's mark, the mark raised, the low-balance
   * mark, and the resulting balance. A flush already applied (its answer was lost) or an erased account's
   * (no ledger left to write to) changes nothing: nothing is applied twice.
   */
  private async write(seq: number, rows: Debit[]): Promise<void> {
    const accountId = rows[0]!.account_id;
    const d1 = this.env.DB;
    const now = Date.now();
    const hours = new Map<number, number>();
    for (const r of rows) {
      const hour = r.created_at - (r.created_at % HOUR_MS);
      hours.set(hour, (hours.get(hour) ?? 0) + r.amount);
    }
    const statements = [
      ...[...hours].map(([hour, amount]) =>
        d1
          .prepare(
            `INSERT INTO credit_ledger (id, account_id, kind, amount_micros, reason, reference, created_at)
             SELECT ?, ?, 'usage', ?, ?, ?, ? WHERE ${unapplied(STREAM)}
             ON CONFLICT (account_id, kind, reference) DO UPDATE SET amount_micros = amount_micros + excluded.amount_micros`,
          )
          .bind(
            crypto.randomUUID(),
            accountId,
            -amount,
            usageReason(hour),
            usageReference(hour),
            hour,
            accountId,
            seq,
          ),
      ),
      // After the entries, which read the mark before it moves.
      markApplied(d1, STREAM, accountId, seq),
      // The low-balance crossing, marked once (see low-balance.ts); returns a row only when it is new.
      d1
        .prepare(
          `UPDATE billing_accounts SET low_balance_notified_at = ?
           WHERE account_id = ? AND balance_micros < ? AND low_balance_notified_at IS NULL
           RETURNING balance_micros AS balance`,
        )
        .bind(now, accountId, LOW_BALANCE_MICROS),
      d1
        .prepare("SELECT balance_micros AS balance FROM billing_accounts WHERE account_id = ?")
        .bind(accountId),
    ];
    let results: D1Result[];
    try {
      results = await d1.batch(statements);
    } catch (error) {
      // Applied by an earlier try whose answer was lost (the balance is read again), or erased while debits
      // waited (no ledger is left to write them to); else the same flush is sent again later.
      if (await appliedOrGone(d1, STREAM, accountId, seq)) {
        this.invalidate();
        return;
      }
      throw error;
    }
    const balance = (results.at(-1)?.results[0] as { balance?: number } | undefined)?.balance;
    this.generation += 1;
    this.ledgerBalance = balance;
    this.loadedAt = Date.now();
    const crossed = results.at(-2)?.results[0] as { balance: number } | undefined;
    if (crossed) {
      try {
        await sendLowBalanceNotice(this.env, accountId, crossed.balance);
      } catch (error) {
        log.error("low-balance notice failed", { error });
      }
    }
  }

  async nextWake(): Promise<number | null> {
    void this.sql; // a fresh object first counts what an earlier life left buffered
    if (this.dueAt === null && this.bufferedRows > 0) this.dueAt = Date.now();
    return this.dueAt;
  }

  /** The alarm's share: whatever fired it, move what waits (a failed flush sets a later wake). */
  async onAlarm(_now: number): Promise<void> {
    if ((await this.nextWake()) !== null) await this.flush();
  }

  /** Deletion: drops the buffered debits (so no later flush writes them back), the leases and the metered ids. */
  async erase(): Promise<number> {
    this.sql.exec("DELETE FROM credit_flush_pending"); // names rows only, counted as credit_debits
    const erased =
      this.sql.exec("DELETE FROM credit_debits").rowsWritten +
      this.leases.erase() +
      this.seen.erase() +
      this.keySpend.erase();
    this.bufferedMicros = 0;
    this.bufferedRows = 0;
    this.dueAt = null;
    return erased;
  }
}
