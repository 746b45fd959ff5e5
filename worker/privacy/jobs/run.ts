// The account Durable Object's alarm for privacy work: advance deletion first, then exports, each in a
// bounded slice; re-arm in `finally` so a crash or a throwing step is retried, never forgotten.

import { log } from "../../observability/log";
import { advanceDeletion } from "../deletion/machine";
import { loadDeletion } from "../deletion/state";
import { advanceExports, exportsPending } from "../export/job";
import { eraseOrder, holders } from "../holders";
import type { DataHolder } from "../holders/holder";

/** One alarm's slice of work: well inside the CPU and wall-clock limits of a Durable Object event. */
const BUDGET_MS = 10_000;
/** After a failed step: try again soon (the cron sweeper also pokes stalled jobs). */
export const RETRY_MS = 15_000;

export type JobHolders = { erase: DataHolder[]; export: DataHolder[] };
const registry: JobHolders = { erase: eraseOrder, export: holders };

/** When the alarm should next fire for privacy work, or null when there is none. */
export async function nextPrivacyAlarm(storage: DurableObjectStorage, delayMs = 0): Promise<number | null> {
  const soon = Date.now() + delayMs;
  const deletion = await loadDeletion(storage);
  if (deletion && !deletion.done) return Math.max(deletion.executeAfter, soon);
  return (await exportsPending(storage)) ? soon : null;
}

export async function schedulePrivacyAlarm(storage: DurableObjectStorage, delayMs = 0): Promise<void> {
  const at = await nextPrivacyAlarm(storage, delayMs);
  if (at === null) return;
  const current = await storage.getAlarm();
  if (current === null || current > at) await storage.setAlarm(at);
}

export async function runPrivacyJobs(ctx: DurableObjectState, env: Env, using: JobHolders = registry) {
  let delay = 0;
  try {
    const deletionMore = await advanceDeletion(ctx, env, using.erase, BUDGET_MS);
    if (!deletionMore) await advanceExports(ctx, env, using.export, BUDGET_MS);
  } catch (error) {
    delay = RETRY_MS;
    log.error("privacy job step failed", { error });
  } finally {
    await schedulePrivacyAlarm(ctx.storage, delay);
  }
}
