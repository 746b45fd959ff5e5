// The privacy jobs as a capability of the account's Durable Object: advance deletion first, then exports,
// each in a bounded slice. The object owns the alarm; this says when it is next needed (retrying soon
// after a throwing step, so a crash is retried, never forgotten).
import type { Hosted } from "../../account-object/hosted";
import type { DataKey } from "../../content/data-keys";
import { log } from "../../observability/log";
import { advanceDeletion } from "../deletion/machine";
import { cancelDeletion, type DeletionInput, startDeletion } from "../deletion/start";
import { loadDeletion } from "../deletion/state";
import { advanceExports, EXPORTS_STATE, type ExportState, exportsPending, queueExport } from "../export/job";
import { eraseOrder, holders } from "../holders";
import type { DataHolder, ExportPage } from "../holders/holder";
import type { RequestView } from "../rights-requests/view";

/** One alarm's slice of work: well inside the CPU and wall-clock limits of a Durable Object event. */
const BUDGET_MS = 10_000;
/** After a failed step: try again soon (the cron sweeper also pokes stalled jobs). */
const RETRY_MS = 15_000;

export type JobHolders = { erase: DataHolder[]; export: DataHolder[] };

type Erasable = Pick<Hosted, "name" | "location" | "erase">;

/** What the jobs use of the object's other capabilities, in the object's own state (never an RPC to itself). */
export type Inside = {
  /** Destroyed first in a deletion: every copy of the account's content becomes unreadable. */
  dataKey: Erasable & { usable(accountId: string): Promise<DataKey | null> };
  /** Erased in a deletion; flushed to D1 before an export reads D1, so the export holds everything. */
  buffers: (Erasable & { flush(): Promise<unknown> })[];
  /** The request log kept in the object (its recent rows and sealed segments), read by the export. */
  requestLog: { exportPage(accountId: string, cursor: string | null): Promise<ExportPage> };
};

/** When the alarm should next fire for privacy work, or null when there is none. */
async function nextPrivacyWake(storage: DurableObjectStorage, soon: number): Promise<number | null> {
  const deletion = await loadDeletion(storage);
  if (deletion && !deletion.done) return Math.max(deletion.executeAfter, soon);
  return (await exportsPending(storage)) ? soon : null;
}

export class PrivacyJobs implements Hosted {
  readonly name = "privacy_jobs";
  readonly location = "deletion and export jobs in the account's Durable Object";
  /** The data holders the jobs walk (a test may substitute failing ones). */
  holders: JobHolders = { erase: eraseOrder, export: holders };
  /** The next wake, as last worked out from the stored jobs; undefined once they change. */
  private wake: number | null | undefined;
  /** After a failed step, no wake before this. */
  private retryAt = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly inside: Inside,
  ) {}

  /** Records the deletion (or returns the open one), tombstones the account, arms the job. */
  async requestDeletion(input: DeletionInput): Promise<RequestView> {
    this.wake = undefined;
    return this.ctx.blockConcurrencyWhile(() => startDeletion(this.ctx, this.env, input));
  }

  /** Cancels a deletion still within its grace period. */
  async cancelDeletion(input: Parameters<typeof cancelDeletion>[2]): Promise<RequestView> {
    this.wake = undefined;
    return this.ctx.blockConcurrencyWhile(() => cancelDeletion(this.ctx, this.env, input));
  }

  /** Queues an export to be built in the background. */
  async startExport(job: Pick<ExportState, "requestId" | "accountId" | "subject" | "origin">): Promise<void> {
    this.wake = undefined;
    await queueExport(this.ctx.storage, job);
  }

  /** Forgets the worked-out wake, so the next one is read from the stored jobs again. */
  resume(): void {
    this.wake = undefined;
    this.retryAt = 0;
  }

  async nextWake(): Promise<number | null> {
    this.wake ??= await nextPrivacyWake(this.ctx.storage, Math.max(Date.now(), this.retryAt));
    return this.wake;
  }

  async onAlarm(now: number): Promise<void> {
    this.wake = undefined;
    // Whatever fired the alarm, work that is due runs (a deletion waits for its grace period by itself).
    void now;
    try {
      const deletionMore = await advanceDeletion(
        this.ctx,
        this.env,
        this.inside,
        this.holders.erase,
        BUDGET_MS,
      );
      if (!deletionMore)
        await advanceExports(this.ctx, this.env, this.inside, this.holders.export, BUDGET_MS);
      this.retryAt = 0;
    } catch (error) {
      this.retryAt = Date.now() + RETRY_MS;
      log.error("privacy job step failed", { error });
    }
  }

  /** Queued exports go with the account (a deletion stops them as it starts; this is the same, by name). */
  async erase(): Promise<number> {
    const queued = (await this.ctx.storage.get<unknown[]>(EXPORTS_STATE))?.length ?? 0;
    await this.ctx.storage.delete(EXPORTS_STATE);
    this.wake = undefined;
    return queued;
  }
}
