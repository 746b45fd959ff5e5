// The account object's host: the capabilities it holds, its one alarm (set to the earliest wake any of them
// asks for) and the alarm's work. AccountDO holds one; a test may build one over a wrapped state to inject
// a storage fault, since everything here lives in the state it is given.
import { CreditDesk } from "../billing/credit-desk";
import { DataKeyStore } from "../content/data-key-store";
import { log } from "../observability/log";
import { deletionSteps, type Step } from "../privacy/deletion/machine";
import type { DataHolder } from "../privacy/holders/holder";
import { type Inside, type JobHolders, PrivacyJobs } from "../privacy/jobs/run";
import { RequestRows } from "../request-log/store";
import { UsageBuffer } from "../usage/buffer";
import type { Hosted } from "./hosted";

export class AccountHost {
  readonly creditDesk: CreditDesk;
  readonly usage: UsageBuffer;
  readonly keys: DataKeyStore;
  readonly requestRows: RequestRows;
  readonly privacy: PrivacyJobs;
  /** What the privacy jobs use of the other capabilities: erased in a deletion, flushed before an export. */
  private readonly inside: Inside;
  /** Every hosted capability, in the order the alarm runs them. */
  private readonly hosted: Hosted[];
  /** The alarm as last set here (null: none); undefined until read from storage. */
  private armedAt: number | null | undefined;

  constructor(
    private readonly ctx: DurableObjectState,
    env: Env,
  ) {
    this.keys = new DataKeyStore(ctx, env);
    this.requestRows = new RequestRows(ctx, env, this.keys);
    this.usage = new UsageBuffer(ctx, env, this.requestRows);
    this.creditDesk = new CreditDesk(ctx, env, this.usage);
    this.inside = {
      dataKey: this.keys,
      buffers: [this.usage, this.creditDesk, this.requestRows],
      requestLog: this.requestRows,
    };
    this.privacy = new PrivacyJobs(ctx, env, this.inside);
    this.hosted = [this.privacy, this.usage, this.creditDesk, this.keys, this.requestRows];
  }

  /** Sets the one alarm to the earliest wake any capability asks for (or clears it); a no-op when unchanged. */
  async schedule(): Promise<void> {
    let earliest: number | null = null;
    for (const capability of this.hosted) {
      const at = await capability.nextWake();
      if (at !== null && (earliest === null || at < earliest)) earliest = at;
    }
    if (this.armedAt === undefined) this.armedAt = await this.ctx.storage.getAlarm();
    if (earliest === this.armedAt) return;
    if (earliest === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(earliest);
    this.armedAt = earliest;
  }

  /** The deletion's steps with these capabilities and holders (the receipt lists them in this order). */
  deletionSteps(holders: DataHolder[]): Step[] {
    return deletionSteps(this.inside, holders);
  }

  /** Forgets what it knows of the alarm, so the next schedule() reads it from storage (it may have been lost). */
  forgetAlarm(): void {
    this.armedAt = undefined;
  }

  /** The one alarm: each capability does what is due, then the alarm is set for the earliest next wake. */
  async alarm(): Promise<void> {
    this.armedAt = null; // a fired alarm is spent
    const now = Date.now();
    try {
      for (const capability of this.hosted) {
        try {
          await capability.onAlarm(now);
        } catch (error) {
          // The capability keeps its work and asks for a later wake; the others still run.
          log.error("account alarm: a capability failed", { capability: capability.name, error });
        }
      }
    } finally {
      await this.schedule();
    }
  }
}

/**
 * One slice of the account's privacy jobs over `ctx` (with the given holders), then the alarm re-armed for
 * whatever waits — what the object's alarm does for privacy, for tests that wrap the state to inject faults.
 */
export async function runPrivacyJobs(ctx: DurableObjectState, env: Env, using?: JobHolders): Promise<void> {
  const host = new AccountHost(ctx, env);
  if (using) host.privacy.holders = using;
  host.forgetAlarm();
  await host.privacy.onAlarm(Date.now());
  await host.schedule();
}
