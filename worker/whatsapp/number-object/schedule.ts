// The number's answer schedule: which of its unanswered messages to answer when, per contact and in order.
// A contact's new messages wait for a quiet period (QUIET_MS after the latest, at most MAX_HOLD_MS after the
// first), then are answered as one turn (burst.ts); while a contact's answer is being made, what they send next
// waits for it. A message that must wait (Meta's pair or throughput limit, a retry) keeps its place: nothing
// later from that contact goes before it. Only ids, the contact hash and times are kept here — the words stay
// sealed in D1 — and each entry goes once its message is settled. Every wait is a row and the one alarm,
// so a restart loses nothing; `now` is always passed in (the alarm's clock, the cron's, a test's).
import { getDb } from "../../db";
import { log } from "../../observability/log";
import { answerMessage } from "../answer";
import { MAX_HOLD_MS, planTurns, QUIET_MS } from "../burst";
import { jobContext } from "../job-context";
import { Pacer } from "./pacer";

/** One message handed to the number's object to be answered. */
export type Queued = {
  accountId: string;
  phoneNumberId: string;
  messageId: string;
  contactHash: string;
  /** Meta's timestamp (ms): the order within a contact, then arrival. */
  sentAt: number;
  /** When it reached us (the quiet period counts from here); defaults to the enqueue's `now`. */
  arrivedAt?: number;
  /** Already attempted (a retry waits): not before this time, and never folded into a burst. */
  dueAt?: number | null;
};

type Row = {
  message_id: string;
  account_id: string;
  phone_number_id: string;
  contact: string;
  sent_at: number;
  seq: number;
  arrived_at: number;
  due_at: number | null;
  /** 1: looked at while an earlier message of the contact waited (no keyword in it); it waits for that one. */
  held: number;
};

/** After an unexpected failure, a contact is looked at again this much later (never a hot loop). */
const AFTER_ERROR_MS = 30_000;

export class AnswerSchedule {
  readonly pacer: Pacer;
  /** Contacts whose answer is being made right now, in this instance (a restart starts with none). */
  private readonly busy = new Set<string>();

  constructor(
    private readonly state: DurableObjectState,
    private readonly env: Env,
  ) {
    const sql = state.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS answer_queue (
      message_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, phone_number_id TEXT NOT NULL,
      contact TEXT NOT NULL, sent_at INTEGER NOT NULL,
      seq INTEGER NOT NULL, arrived_at INTEGER NOT NULL, due_at INTEGER, held INTEGER NOT NULL DEFAULT 0)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS answer_queue_contact ON answer_queue (contact, sent_at, seq)`);
    this.pacer = new Pacer(sql);
  }

  private get sql() {
    return this.state.storage.sql;
  }

  /** Takes messages to answer (a message already queued keeps its place and times), then sets the alarm. */
  async enqueue(items: Queued[], now: number): Promise<void> {
    for (const item of items) {
      this.sql.exec(
        `INSERT INTO answer_queue
           (message_id, account_id, phone_number_id, contact, sent_at, seq, arrived_at, due_at)
         VALUES (?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM answer_queue), ?, ?)
         ON CONFLICT (message_id) DO NOTHING`,
        item.messageId,
        item.accountId,
        item.phoneNumberId,
        item.contactHash,
        item.sentAt,
        item.arrivedAt ?? now,
        item.dueAt ?? null,
      );
    }
    await this.arm();
  }

  /** Answers everything due at `now`: each due contact on its own, contacts side by side; then re-arms. */
  async run(now: number): Promise<void> {
    this.pacer.prune(now);
    const due = this.contacts().filter((c) => c.due <= now && !this.busy.has(c.contact));
    await Promise.all(due.map((c) => this.answerContact(c.contact, now)));
    await this.arm();
  }

  /** When the schedule next has work (null: none), not counting contacts being answered now. */
  nextWake(): number | null {
    const waiting = this.contacts().filter((c) => !this.busy.has(c.contact));
    return waiting.length ? Math.min(...waiting.map((c) => c.due)) : null;
  }

  /** What waits, for tests and the holdings count: queued message ids per contact, in answering order. */
  queued(): { contact: string; messageId: string; dueAt: number | null }[] {
    return this.rows().map((r) => ({ contact: r.contact, messageId: r.message_id, dueAt: r.due_at }));
  }

  private async arm(): Promise<void> {
    // With nothing left to answer, the object still wakes once to forget the pacer's contact hashes.
    const at = this.nextWake() ?? this.pacer.forgetAt();
    if (at === null) await this.state.storage.deleteAlarm();
    else await this.state.storage.setAlarm(at);
  }

  private rows(contact?: string): Row[] {
    const where = contact === undefined ? "" : "WHERE contact = ?";
    const args = contact === undefined ? [] : [contact];
    return this.sql
      .exec<Row>(`SELECT * FROM answer_queue ${where} ORDER BY (due_at IS NULL), sent_at, seq`, ...args)
      .toArray();
  }

  /**
   * Each contact's next moment: the end of the quiet period after the latest new message (at most MAX_HOLD_MS
   * after the first), or sooner an attempted message's own time (it goes first). New messages already looked at
   * while an attempted one waits (held) count only once nothing attempted is left.
   */
  private contacts(): { contact: string; due: number }[] {
    return this.sql
      .exec<{
        contact: string;
        retry: number | null;
        last: number | null;
        first: number | null;
        lastAll: number | null;
        firstAll: number | null;
      }>(
        `SELECT contact, min(due_at) AS retry,
           max(CASE WHEN due_at IS NULL AND held = 0 THEN arrived_at END) AS last,
           min(CASE WHEN due_at IS NULL AND held = 0 THEN arrived_at END) AS first,
           max(CASE WHEN due_at IS NULL THEN arrived_at END) AS lastAll,
           min(CASE WHEN due_at IS NULL THEN arrived_at END) AS firstAll
         FROM answer_queue GROUP BY contact`,
      )
      .toArray()
      .map((c) => {
        const quiet = (last: number | null, first: number | null) =>
          last === null || first === null
            ? Number.POSITIVE_INFINITY
            : Math.min(last + QUIET_MS, first + MAX_HOLD_MS);
        const due =
          c.retry === null ? quiet(c.lastAll, c.firstAll) : Math.min(c.retry, quiet(c.last, c.first));
        return { contact: c.contact, due };
      });
  }

  private async answerContact(contact: string, now: number): Promise<void> {
    this.busy.add(contact);
    const { ctx, drain } = jobContext();
    try {
      // What was attempted before goes first, in order; anything still waiting keeps the rest back — except
      // STOP and hand-off keywords, which take effect as soon as the contact is quiet.
      let blocked = false;
      for (const row of this.rows(contact).filter((r) => r.due_at !== null)) {
        if (row.due_at! > now || !(await this.answer(ctx, row, now))) {
          blocked = true;
          break;
        }
      }
      const fresh = this.rows(contact).filter((r) => r.due_at === null);
      const looked = blocked ? fresh.filter((r) => r.held === 0) : fresh;
      if (!looked.length) return;
      const quietUntil = Math.min(
        Math.max(...looked.map((r) => r.arrived_at)) + QUIET_MS,
        Math.min(...looked.map((r) => r.arrived_at)) + MAX_HOLD_MS,
      );
      if (quietUntil > now) return;
      const turns = await planTurns(this.env, getDb(this.env.DB), {
        accountId: fresh[0]!.account_id,
        phoneNumberId: fresh[0]!.phone_number_id,
        messageIds: fresh.map((r) => r.message_id),
        now,
        urgentOnly: blocked,
      });
      for (const row of fresh) {
        if (turns.includes(row.message_id)) continue;
        if (blocked) this.sql.exec(`UPDATE answer_queue SET held = 1 WHERE message_id = ?`, row.message_id);
        else this.sql.exec(`DELETE FROM answer_queue WHERE message_id = ?`, row.message_id);
      }
      for (const id of turns) {
        const row = fresh.find((r) => r.message_id === id)!;
        if (!(await this.answer(ctx, row, now))) return;
      }
    } catch (error) {
      log.error("whatsapp schedule: answering a contact failed", { error });
      this.sql.exec(
        `UPDATE answer_queue SET due_at = ? WHERE contact = ? AND due_at IS NOT NULL`,
        now + AFTER_ERROR_MS,
        contact,
      );
    } finally {
      await drain();
      this.busy.delete(contact);
    }
  }

  /**
   * Answers one message; true when it is settled (its entry goes), false when it waits — for its retry, for the
   * pacer's next slot, or for another worker's lease — with its entry's time set to when.
   */
  private async answer(ctx: ExecutionContext, row: Row, now: number): Promise<boolean> {
    const ref = { accountId: row.account_id, messageId: row.message_id };
    await answerMessage(this.env, ctx, ref, now, this.pacer);
    const state = await this.env.DB.prepare(
      `SELECT status, next_attempt_at, lease_until FROM whatsapp_messages WHERE account_id = ? AND id = ?`,
    )
      .bind(ref.accountId, ref.messageId)
      .first<{ status: string; next_attempt_at: number | null; lease_until: number | null }>();
    const waitUntil =
      state?.status === "pending"
        ? state.next_attempt_at
        : state?.status === "processing"
          ? state.lease_until
          : undefined;
    if (waitUntil === undefined) {
      this.sql.exec(`DELETE FROM answer_queue WHERE message_id = ?`, row.message_id);
      return true;
    }
    const at = waitUntil !== null && waitUntil > now ? waitUntil : now + AFTER_ERROR_MS;
    this.sql.exec(`UPDATE answer_queue SET due_at = ? WHERE message_id = ?`, at, row.message_id);
    return false;
  }
}
