// One Durable Object per account: the place where work that must not race for one account is serialised
// (deletion, credit reservations, per-key rate limits). Capabilities add their state in its SQLite storage.
import { DurableObject } from "cloudflare:workers";
import { CreditDesk } from "../billing/credit-desk";
import { destroyDataKey, loadDataKey } from "../content/data-key-store";
import type { WrappedDataKey } from "../crypto/data-key";
import { cancelDeletion, type DeletionInput, startDeletion } from "../privacy/deletion/start";
import { type ErasureProbe, erasureBegun, erasureProbe } from "../privacy/deletion/state";
import { type ExportState, queueExport } from "../privacy/export/job";
import { runPrivacyJobs, schedulePrivacyAlarm } from "../privacy/jobs/run";
import type { RequestView } from "../privacy/requests/view";
import { UsageBuffer } from "../usage/buffer";
import type { UsageRow } from "../usage/row";

export class AccountDO extends DurableObject<Env> {
  private creditDesk?: CreditDesk;
  private get credits(): CreditDesk {
    this.creditDesk ??= new CreditDesk(this.ctx, this.env);
    return this.creditDesk;
  }

  /** Billing: holds credit for one request; null when the balance cannot cover it. */
  async reserveCredit(accountId: string, amountMicros: number): Promise<string | null> {
    return this.credits.reserve(accountId, amountMicros);
  }

  /** Billing: releases a hold and buffers the metered debit; the alarm moves it to the D1 ledger. */
  async settleCredit(holdId: string, accountId: string, costMicros: number, usageId: string): Promise<void> {
    // A debit for an account being erased would recreate its ledger.
    if (await erasureBegun(this.ctx.storage)) return;
    await this.credits.settle(holdId, accountId, costMicros, usageId);
  }

  /** Billing: the D1 balance changed (payment, refund, adjustment); read it again. */
  async creditChanged(): Promise<void> {
    this.credits.invalidate();
  }

  /** Billing: moves buffered debits to the D1 ledger now (before showing the ledger). */
  async flushCredits(): Promise<void> {
    await this.credits.flush();
  }

  private usageBuffer?: UsageBuffer;
  private get usage(): UsageBuffer {
    this.usageBuffer ??= new UsageBuffer(this.ctx, this.env);
    return this.usageBuffer;
  }

  /**
   * The end of one AI request in one call (the hot path pays one round trip, not two): its usage row and
   * the settlement of its credit hold. Both are idempotent by the usage id, so a retried call charges once.
   */
  async finishRequest(row: UsageRow, holdId: string | null, costMicros: number): Promise<void> {
    if (await erasureBegun(this.ctx.storage)) return;
    await this.usage.add(row);
    if (holdId) await this.credits.settle(holdId, row.accountId, costMicros, row.id);
  }

  /** Metering: moves buffered usage rows to D1 now (before a usage query). */
  async flushUsage(): Promise<number> {
    return this.usage.flush();
  }

  /** One alarm per object: each capability's due work runs here, and each re-arms itself if it needs to. */
  override async alarm(): Promise<void> {
    await runPrivacyJobs(this.ctx, this.env);
    await this.usage.onAlarm();
    await this.credits.onAlarm();
  }

  /** A cheap liveness call; also proves the binding and migration are wired. */
  async ping(): Promise<string> {
    return "pong";
  }

  /** Content encryption: the account's wrapped data key (null once destroyed). */
  async dataKey(accountId: string, create: boolean): Promise<WrappedDataKey | null> {
    return loadDataKey(this.ctx, this.env, accountId, create);
  }

  /** Crypto-shredding: destroys the data key, making every stored copy of the account's content unreadable. */
  async destroyDataKey(accountId: string): Promise<void> {
    await destroyDataKey(this.ctx, this.env, accountId);
  }

  /** Privacy: records the deletion (or returns the open one), tombstones the account, arms the job. */
  async requestDeletion(input: DeletionInput): Promise<RequestView> {
    const view = await this.ctx.blockConcurrencyWhile(() => startDeletion(this.ctx, this.env, input));
    await schedulePrivacyAlarm(this.ctx.storage);
    return view;
  }

  /** Privacy: cancels a deletion still within its grace period. */
  async cancelDeletion(input: Parameters<typeof cancelDeletion>[2]): Promise<RequestView> {
    const view = await this.ctx.blockConcurrencyWhile(() => cancelDeletion(this.ctx, this.env, input));
    await schedulePrivacyAlarm(this.ctx.storage);
    return view;
  }

  /** Privacy: queues an export to be built in the background. */
  async startExport(job: Pick<ExportState, "requestId" | "accountId" | "subject" | "origin">): Promise<void> {
    await queueExport(this.ctx.storage, job);
    await schedulePrivacyAlarm(this.ctx.storage);
  }

  /** Privacy: what the promise report's deletion audit checks (the finished job, any data key left). */
  async erasureProbe(): Promise<ErasureProbe> {
    return erasureProbe(this.ctx.storage);
  }

  /** Privacy: the cron watchdog re-arms a job whose alarm was lost. */
  async resumePrivacyJobs(): Promise<void> {
    await schedulePrivacyAlarm(this.ctx.storage);
  }
}

/** The Durable Object of one account. */
export function accountObject(env: Env, accountId: string): DurableObjectStub<AccountDO> {
  return env.ACCOUNT.getByName(accountId);
}
