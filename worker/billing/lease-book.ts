// The account object's record of credit leases: slices of the available balance handed to isolates, which
// reserve against them in memory. A lease is held like a reservation until its debits arrive, it is given
// back, or it expires (its isolate died); leases survive the object's restarts in its SQLite (ADR 026).
import { HOUR_MS } from "../time";
import { isLive, keySlice, leaseExpiry, leaseSlice, takenBack } from "./lease-terms";

/** `keys`: each limited key's allowance inside the lease (its share of the key's remaining monthly limit). */
type Lease = { outstanding: number; expiresAt: number; keys: Map<string, number> };

export class LeaseBook {
  private ready = false;
  private readonly leases = new Map<string, Lease>();

  constructor(private readonly state: DurableObjectState) {}

  private load(): void {
    if (this.ready) return;
    const sql = this.state.storage.sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS credit_leases (id TEXT PRIMARY KEY, outstanding INTEGER NOT NULL, expires_at INTEGER NOT NULL)",
    );
    sql.exec(
      "CREATE TABLE IF NOT EXISTS credit_lease_keys (lease_id TEXT NOT NULL, key_id TEXT NOT NULL, outstanding INTEGER NOT NULL, PRIMARY KEY (lease_id, key_id))",
    );
    for (const row of sql.exec<{ id: string; outstanding: number; expires_at: number }>(
      "SELECT id, outstanding, expires_at FROM credit_leases",
    )) {
      this.leases.set(row.id, { outstanding: row.outstanding, expiresAt: row.expires_at, keys: new Map() });
    }
    for (const row of sql.exec<{ lease_id: string; key_id: string; outstanding: number }>(
      "SELECT lease_id, key_id, outstanding FROM credit_lease_keys",
    )) {
      this.leases.get(row.lease_id)?.keys.set(row.key_id, row.outstanding);
    }
    this.ready = true;
  }

  private save(id: string, lease: Lease): void {
    this.state.storage.sql.exec(
      "INSERT INTO credit_leases (id, outstanding, expires_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET outstanding = excluded.outstanding, expires_at = excluded.expires_at",
      id,
      lease.outstanding,
      lease.expiresAt,
    );
  }

  private saveKey(id: string, keyId: string, outstanding: number): void {
    this.state.storage.sql.exec(
      "INSERT INTO credit_lease_keys (lease_id, key_id, outstanding) VALUES (?, ?, ?) ON CONFLICT (lease_id, key_id) DO UPDATE SET outstanding = excluded.outstanding",
      id,
      keyId,
      outstanding,
    );
  }

  private drop(id: string): void {
    this.leases.delete(id);
    this.state.storage.sql.exec("DELETE FROM credit_leases WHERE id = ?", id);
    this.state.storage.sql.exec("DELETE FROM credit_lease_keys WHERE lease_id = ?", id);
  }

  /** What live leases hold of one key's remaining monthly limit. */
  heldForKey(keyId: string, now: number): number {
    this.load();
    let total = 0;
    for (const lease of this.leases.values()) {
      const outstanding = lease.keys.get(keyId) ?? 0;
      if (isLive(lease.expiresAt, now) && outstanding > 0) total += outstanding;
    }
    return total;
  }

  /** A debit metered against a key's allowance in a lease (the isolate reserved it from that allowance). */
  debitKey(id: string, keyId: string, amount: number, now: number): void {
    this.load();
    const lease = this.leases.get(id);
    const outstanding = lease?.keys.get(keyId);
    if (!lease || outstanding === undefined || !isLive(lease.expiresAt, now)) return;
    lease.keys.set(keyId, outstanding - amount);
    this.saveKey(id, keyId, outstanding - amount);
  }

  /** Takes back what the isolate says it will not use of a key's allowance. */
  giveBackKey(id: string, keyId: string, amount: number): void {
    this.load();
    const lease = this.leases.get(id);
    const outstanding = lease?.keys.get(keyId);
    if (!lease || outstanding === undefined || amount <= 0) return;
    const left = outstanding - takenBack(amount, outstanding);
    lease.keys.set(keyId, left);
    this.saveKey(id, keyId, left);
  }

  /**
   * Adds up to `wanted` to a key's allowance in a live lease, out of `remaining` (the key's limit net of its
   * spend, every live allowance and hold); returns what was added. Called with no await after the check.
   */
  grantKey(id: string, keyId: string, wanted: number, remaining: number): number {
    this.load();
    const lease = this.leases.get(id);
    if (!lease) return 0;
    const added = keySlice(wanted, remaining);
    const outstanding = (lease.keys.get(keyId) ?? 0) + added;
    lease.keys.set(keyId, outstanding);
    this.saveKey(id, keyId, outstanding);
    return added;
  }

  /** What live leases hold of the balance; expired ones are reclaimed here. */
  held(now: number): number {
    this.load();
    let total = 0;
    for (const [id, lease] of this.leases) {
      if (!isLive(lease.expiresAt, now)) this.drop(id);
      else if (lease.outstanding > 0) total += lease.outstanding;
    }
    return total;
  }

  /** A debit metered against a lease: it moves from the lease to the buffered debits (available is unchanged). */
  debit(id: string, amount: number, now: number): void {
    this.load();
    const lease = this.leases.get(id);
    if (!lease || !isLive(lease.expiresAt, now)) return;
    lease.outstanding -= amount;
    this.save(id, lease);
  }

  /** Takes back what the isolate says it will not use (never more than the lease still holds). */
  giveBack(id: string, amount: number): void {
    this.load();
    const lease = this.leases.get(id);
    if (!lease || amount <= 0) return;
    lease.outstanding -= takenBack(amount, lease.outstanding);
    this.save(id, lease);
  }

  /**
   * Adds up to `wanted` to the lease out of `available` (already net of every live lease and hold) and
   * extends it; returns what was added. Called with no await between the caller's check and this.
   */
  grant(id: string, wanted: number, available: number, now: number, ttlMs?: number): number {
    this.load();
    const lease = this.leases.get(id) ?? { outstanding: 0, expiresAt: 0, keys: new Map<string, number>() };
    const added = leaseSlice(wanted, available);
    if (added === 0 && !this.leases.has(id)) return 0;
    lease.outstanding += added;
    lease.expiresAt = leaseExpiry(now, ttlMs);
    this.leases.set(id, lease);
    this.save(id, lease);
    return added;
  }

  /** Whether the lease is live: granted, not expired, not ended or revoked (what every reply tells its isolate). */
  live(id: string, now: number): boolean {
    this.load();
    const lease = this.leases.get(id);
    return lease !== undefined && isLive(lease.expiresAt, now);
  }

  /**
   * A reversal left the leases unbacked: every lease is taken back at once (what it held returns to the balance);
   * each isolate learns it from the object's next reply and reserves here again (ADR 040). Returns how many.
   */
  revokeAll(): number {
    this.load();
    const n = this.leases.size;
    for (const id of [...this.leases.keys()]) this.drop(id);
    return n;
  }

  /** Ends a lease the isolate gave up (returning what it did not use is giveBack first). */
  end(id: string): void {
    this.load();
    if (this.leases.has(id)) this.drop(id);
  }

  /** Deletion: forgets every lease. */
  erase(): number {
    this.load();
    const n = this.leases.size;
    this.leases.clear();
    this.state.storage.sql.exec("DELETE FROM credit_leases");
    this.state.storage.sql.exec("DELETE FROM credit_lease_keys");
    return n;
  }
}

/** How long a metered usage id is remembered, so a retried batch debits nothing twice. */
const SEEN_FOR_MS = HOUR_MS;

/** The usage ids this object has already metered (recent ones), in its SQLite. */
export class SeenUsage {
  private ready = false;
  private added = 0;

  constructor(private readonly state: DurableObjectState) {}

  /** True the first time `id` is seen; false for a repeat (a retried batch). */
  first(id: string, now: number): boolean {
    const sql = this.state.storage.sql;
    if (!this.ready) {
      sql.exec("CREATE TABLE IF NOT EXISTS metered_ids (id TEXT PRIMARY KEY, at INTEGER NOT NULL)");
      this.ready = true;
    }
    const fresh =
      sql.exec("INSERT OR IGNORE INTO metered_ids (id, at) VALUES (?, ?)", id, now).rowsWritten > 0;
    if (fresh && ++this.added % 1_000 === 0) {
      sql.exec("DELETE FROM metered_ids WHERE at < ?", now - SEEN_FOR_MS);
    }
    return fresh;
  }

  erase(): number {
    if (!this.ready) return 0;
    return this.state.storage.sql.exec("DELETE FROM metered_ids").rowsWritten;
  }
}

/** A limited key's part of a lease ask: its limit as the isolate knows it, what comes back, what is wanted. */
export type KeyAsk = { keyId: string; limit: number; giveBack: number; wanted: number };

/** What an isolate asks when it renews (or ends) its lease. */
export type LeaseAsk = {
  leaseId: string;
  giveBack: number;
  wanted: number;
  /** Allowances of keys with a monthly spend limit, renewed with the lease. */
  keys?: KeyAsk[];
  end?: boolean;
  /** A shorter validity than LEASE_TTL_MS (never longer). */
  ttlMs?: number;
};
