// One Durable Object per account: the place where work that must not race for one account is serialised
// (deletion, credit reservations, per-key rate limits). Capabilities add their state in its SQLite storage.
import { DurableObject } from "cloudflare:workers";
import { UsageBuffer } from "../usage/buffer";
import type { UsageRow } from "../usage/row";
import { destroyDataKey, loadDataKey } from "../content/data-key-store";
import type { WrappedDataKey } from "../crypto/data-key";

export class AccountDO extends DurableObject<Env> {
  private usageBuffer?: UsageBuffer;
  private get usage(): UsageBuffer {
    this.usageBuffer ??= new UsageBuffer(this.ctx, this.env);
    return this.usageBuffer;
  }

  /** Metering: buffers one usage row durably; the alarm moves rows to D1 in batches. */
  async recordUsage(row: UsageRow): Promise<void> {
    await this.usage.add(row);
  }

  /** Metering: moves buffered usage rows to D1 now (before a usage query). */
  async flushUsage(): Promise<number> {
    return this.usage.flush();
  }

  /** One alarm per object: each capability's due work runs here, and each re-arms itself if it needs to. */
  override async alarm(): Promise<void> {
    await runPrivacyJobs(this.ctx, this.env);
    await this.usage.onAlarm();
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
}

/** The Durable Object of one account. */
export function accountObject(env: Env, accountId: string): DurableObjectStub<AccountDO> {
  return env.ACCOUNT.getByName(accountId);
}
