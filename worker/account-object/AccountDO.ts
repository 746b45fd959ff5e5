// One Durable Object per account: the host of the work that must not race for one account (credit
// reservations, the usage buffer, the data key, privacy jobs). Each capability keeps its own state in the
// object's storage and says when it next needs the alarm; the object alone sets its one alarm to the
// earliest of those, and a deletion erases each capability's state through its own erase().
import { DurableObject } from "cloudflare:workers";
import type { KeyLimitRefusal, LeaseGrant } from "../billing/credit-desk";
import type { KeyLimit } from "../billing/key-spend";
import type { LeaseAsk } from "../billing/lease-book";
import type { WrappedDataKey } from "../crypto/data-key";
import type { DeletionInput } from "../privacy/deletion/start";
import { type ErasureProbe, erasureBegun, erasureProbe } from "../privacy/deletion/state";
import type { ExportState } from "../privacy/export/job";
import type { PrivacyJobs } from "../privacy/jobs/run";
import type { RequestView } from "../privacy/rights-requests/view";
import type { LoggedRow, RowQuery } from "../request-log/query";
import type { RequestRows, RowGroup, RowSums } from "../request-log/store";
import type { MeteredRow } from "../usage/row";
import { AccountHost } from "./host";

export class AccountDO extends DurableObject<Env> {
  private readonly host = new AccountHost(this.ctx, this.env);
  private get creditDesk() {
    return this.host.creditDesk;
  }
  private get usage() {
    return this.host.usage;
  }
  private get privacy() {
    return this.host.privacy;
  }

  private schedule(): Promise<void> {
    return this.host.schedule();
  }

  /** The one alarm: each hosted capability does what is due, then the alarm is set for the earliest next wake. */
  override async alarm(): Promise<void> {
    await this.host.alarm();
  }

  /** GET /api/health's liveness probe: proves the binding answers, touching no storage. */
  async ping(): Promise<string> {
    return "pong";
  }

  /**
   * Billing: holds credit for one request; null when the balance cannot cover it, a refusal when the key's
   * monthly spend limit (`key`) cannot.
   */
  async reserveCredit(
    accountId: string,
    amountMicros: number,
    giveBack?: LeaseAsk,
    key?: KeyLimit,
  ): Promise<string | null | KeyLimitRefusal> {
    // The caller's own lease goes back first, so its slice never stands between it and the balance.
    if (giveBack) {
      const keys = giveBack.keys?.map((k) => ({ ...k, wanted: 0 }));
      await this.creditDesk.lease(accountId, { ...giveBack, wanted: 0, keys });
    }
    return this.creditDesk.reserve(accountId, amountMicros, key);
  }

  /**
   * Billing: the D1 balance changed (payment, refund, adjustment); read it again — and with the account named, at
   * once, revoking every lease a reversal left unbacked.
   */
  async creditChanged(accountId?: string): Promise<void> {
    if (accountId) await this.creditDesk.changed(accountId);
    else this.creditDesk.invalidate();
  }

  /** Billing: moves buffered debits to the D1 ledger now (before showing the ledger). */
  async flushCredits(): Promise<void> {
    await this.creditDesk.flush();
  }

  /**
   * Metering in batches (ADR 026): each row is buffered and its credit settled (its hold released, or its
   * debit taken off the isolate's lease) exactly once by its usage id, however often the batch is retried;
   * then the isolate's lease, if it asks, is renewed in the same call. The reply tells the isolate whether its
   * lease (`lease`, or `holding` when it asks nothing) is still live, so a revoked one stops being used.
   */
  async meterBatch(
    accountId: string,
    rows: MeteredRow[],
    lease?: LeaseAsk,
    holding?: string,
  ): Promise<LeaseGrant | null> {
    if (await erasureBegun(this.ctx.storage)) return null;
    const now = Date.now();
    const settled: Promise<void>[] = [];
    for (const { holdId, leaseId, keyLeased, ...row } of rows) {
      if (!this.creditDesk.seen.first(row.id, now)) continue;
      settled.push(this.usage.add(row));
      // The key's month counts the row in the same turn as the buffer takes it (see KeySpend.load).
      if (row.keyId) this.creditDesk.keySpend.add(row.keyId, row.costMicros, row.createdAt);
      if (leaseId) this.creditDesk.debitLease(leaseId, row.costMicros, keyLeased ? row.keyId : null);
      if (holdId || leaseId)
        settled.push(this.creditDesk.settle(holdId ?? "", accountId, row.costMicros, row.id));
    }
    await Promise.all(settled);
    const granted = lease
      ? await this.creditDesk.lease(accountId, lease)
      : holding
        ? this.creditDesk.leaseState(holding)
        : null;
    await this.schedule();
    return granted;
  }

  /** Metering: moves buffered usage rows to D1 now (before a usage query). */
  async flushUsage(): Promise<number> {
    return this.usage.flush();
  }

  /** Content encryption: the account's wrapped data key (null once destroyed). */
  async dataKey(accountId: string, create: boolean): Promise<WrappedDataKey | null> {
    return this.host.keys.wrapped(accountId, create);
  }

  /** Crypto-shredding: destroys the data key, making every stored copy of the account's content unreadable. */
  async destroyDataKey(accountId: string): Promise<void> {
    await this.host.keys.erase(accountId);
  }

  /** Privacy: records the deletion (or returns the open one), tombstones the account, arms the job. */
  async requestDeletion(input: DeletionInput): Promise<RequestView> {
    const view = await this.privacy.requestDeletion(input);
    await this.schedule();
    return view;
  }

  /** Privacy: cancels a deletion still within its grace period (what else waits keeps its alarm). */
  async cancelDeletion(input: Parameters<PrivacyJobs["cancelDeletion"]>[0]): Promise<RequestView> {
    const view = await this.privacy.cancelDeletion(input);
    await this.schedule();
    return view;
  }

  /** Privacy: queues an export to be built in the background. */
  async startExport(job: Pick<ExportState, "requestId" | "accountId" | "subject" | "origin">): Promise<void> {
    await this.privacy.startExport(job);
    await this.schedule();
  }

  /** Privacy: what the promise report's deletion check reads (the finished job, any data key left). */
  async erasureProbe(): Promise<ErasureProbe> {
    return erasureProbe(this.ctx.storage);
  }

  /** Privacy: the cron watchdog re-arms a job whose alarm was lost. */
  async resumePrivacyJobs(): Promise<void> {
    this.privacy.resume();
    this.host.forgetAlarm(); // trust storage, not memory: the alarm may be what was lost
    await this.schedule();
  }

  /** The request log (ADR 090): up to `limit` rows newest first, after moving what the buffer holds. */
  async requestLogPage(accountId: string, q: RowQuery, limit: number): Promise<LoggedRow[]> {
    await this.usage.flush();
    return this.host.requestRows.page(accountId, q, limit);
  }

  /** The request log: one row by id, wherever it is kept (null when not this account's). */
  async requestLogEntry(accountId: string, id: string): Promise<LoggedRow | null> {
    await this.usage.flush();
    return this.host.requestRows.byId(accountId, id);
  }

  /** Usage over a short range, exact to the millisecond, summed from the request log's rows. */
  async requestLogSums(accountId: string, q: RowQuery, groupBy: RowGroup): Promise<RowSums[]> {
    await this.usage.flush();
    return this.host.requestRows.sums(accountId, q, groupBy);
  }

  /** What the request log holds here (rows in the window, sealed segments): counts only, for holdings and P9. */
  async requestLogHeld(): Promise<ReturnType<RequestRows["left"]>> {
    return this.host.requestRows.left();
  }
}
