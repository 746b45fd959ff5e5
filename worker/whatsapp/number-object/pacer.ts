// Meta's two sending limits, kept by the number's Durable Object so every send from one business number asks
// the same pacer (docs/decisions/064-whatsapp-pacing-and-bursts.md):
// - throughput: at most NUMBER_SENDS_PER_SECOND messages in any second from the number (Meta's default, 80 mps;
//   error 130429 when exceeded);
// - pair rate: one message every PAIR_INTERVAL_MS to the same customer, with a burst of PAIR_BURST (error 131056).
// State lives in the object's SQLite storage, so a restart forgets nothing; every reservation is synchronous (no
// await between reading and writing), so two answers in the same object never take the same slot.

/**
 * Meta's default throughput per business number: 80 messages per second (higher tiers are automatic upgrades).
 * @internal exported for the tests that check the ADR's numbers
 */
export const NUMBER_SENDS_PER_SECOND = 80;
const THROUGHPUT_WINDOW_MS = 1_000;
/**
 * Meta's pair rate limit: about one message every 6 s from one business number to one customer.
 * @internal exported for the tests
 */
export const PAIR_INTERVAL_MS = 6_000;
/**
 * Sends to one customer allowed back to back before the 6-second spacing applies. Meta tolerates much larger
 * bursts (it "borrows" from later), but a reply split in parts, or a confirmation and an answer, needs only a few.
 * @internal exported for the tests
 */
export const PAIR_BURST = 3;

export class Pacer {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS pacer_pairs (contact TEXT PRIMARY KEY, tat INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS pacer_sends (at INTEGER NOT NULL)`);
    sql.exec(
      `CREATE TABLE IF NOT EXISTS pacer_blocked (id INTEGER PRIMARY KEY CHECK (id = 1), until INTEGER NOT NULL)`,
    );
  }

  /**
   * Takes a send slot to `contact` at `now` and returns `now`, or returns the later time the next slot opens
   * (nothing taken). Pair rate as a generic cell rate: the contact's theoretical arrival time `tat` moves
   * PAIR_INTERVAL_MS per send, and a send may go while it is at most (PAIR_BURST − 1) intervals ahead.
   */
  reserve(contact: string, now: number): number {
    const at = Math.max(this.pairOpensAt(contact, now), this.numberOpensAt(now));
    if (at > now) return at;
    const tat = Math.max(this.tat(contact) ?? now, now) + PAIR_INTERVAL_MS;
    this.sql.exec(
      `INSERT INTO pacer_pairs (contact, tat) VALUES (?, ?) ON CONFLICT (contact) DO UPDATE SET tat = excluded.tat`,
      contact,
      tat,
    );
    this.sql.exec(`INSERT INTO pacer_sends (at) VALUES (?)`, now);
    return now;
  }

  /** A send taken at `at` that Meta did not accept delivered nothing: its slot is given back. */
  release(contact: string, at: number): void {
    this.sql.exec(`UPDATE pacer_pairs SET tat = tat - ? WHERE contact = ?`, PAIR_INTERVAL_MS, contact);
    this.sql.exec(
      `DELETE FROM pacer_sends WHERE rowid = (SELECT rowid FROM pacer_sends WHERE at = ? LIMIT 1)`,
      at,
    );
  }

  /** Meta answered 131056 for `contact`: nothing goes to them before `until`. */
  pairThrottled(contact: string, until: number): void {
    const tat = until + (PAIR_BURST - 1) * PAIR_INTERVAL_MS;
    this.sql.exec(
      `INSERT INTO pacer_pairs (contact, tat) VALUES (?, ?)
       ON CONFLICT (contact) DO UPDATE SET tat = max(tat, excluded.tat)`,
      contact,
      tat,
    );
  }

  /** Meta answered 130429: nothing goes from the number before `until`. */
  numberThrottled(until: number): void {
    this.sql.exec(
      `INSERT INTO pacer_blocked (id, until) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET until = max(until, excluded.until)`,
      until,
    );
  }

  /**
   * When everything the pacer keeps will have stopped limiting anything (null: it keeps nothing): the object wakes
   * then to prune, so a contact's hash never outlives its last send by more than the pair interval's burst.
   */
  forgetAt(): number | null {
    const [row] = this.sql
      .exec<{ at: number | null }>(
        `SELECT max(
           coalesce((SELECT max(tat) FROM pacer_pairs), 0),
           coalesce((SELECT max(at) FROM pacer_sends) + ${THROUGHPUT_WINDOW_MS}, 0),
           coalesce((SELECT until FROM pacer_blocked), 0)
         ) AS at`,
      )
      .toArray();
    return row?.at ? row.at : null;
  }

  /** Forgets what no longer limits anything at `now` (a contact fully rested, sends out of the window). */
  prune(now: number): void {
    this.sql.exec(`DELETE FROM pacer_pairs WHERE tat <= ?`, now);
    this.sql.exec(`DELETE FROM pacer_sends WHERE at <= ?`, now - THROUGHPUT_WINDOW_MS);
    this.sql.exec(`DELETE FROM pacer_blocked WHERE until <= ?`, now);
  }

  private tat(contact: string): number | null {
    const row = this.sql
      .exec<{ tat: number }>(`SELECT tat FROM pacer_pairs WHERE contact = ?`, contact)
      .toArray();
    return row[0]?.tat ?? null;
  }

  private pairOpensAt(contact: string, now: number): number {
    const tat = this.tat(contact);
    return tat === null ? now : Math.max(now, tat - (PAIR_BURST - 1) * PAIR_INTERVAL_MS);
  }

  /** The number's next slot: once fewer than the limit were sent in the last second (and no 130429 holds). */
  private numberOpensAt(now: number): number {
    const blocked =
      this.sql.exec<{ until: number }>(`SELECT until FROM pacer_blocked`).toArray()[0]?.until ?? 0;
    const recent = this.sql
      .exec<{ at: number }>(
        `SELECT at FROM pacer_sends WHERE at > ? ORDER BY at DESC LIMIT ?`,
        now - THROUGHPUT_WINDOW_MS,
        NUMBER_SENDS_PER_SECOND,
      )
      .toArray();
    const full = recent.length >= NUMBER_SENDS_PER_SECOND ? recent.at(-1)!.at + THROUGHPUT_WINDOW_MS : now;
    return Math.max(now, blocked, full);
  }
}
