// Usage rows leave the isolate in batches: one call to the account's object per BATCH_MAX_ROWS rows or BATCH_MAX_WAIT_MS,
// whichever comes first, with the lease renewal riding along. Every caller hands the returned promise to
// waitUntil, so the isolate stays alive until its rows are acknowledged; rows are idempotent by usage id, so a
// retried batch settles nothing twice (ADR 026). Workers forbid settling one request's promise from another
// request, so each caller waits on its own timer for the shared batch's `done` flag.
import { accountObject } from "../account-object/stub";
import type { LeaseGrant } from "../billing/credit-desk";
import type { LeaseAsk } from "../billing/lease-book";
import { log } from "../observability/log";
import { handOff } from "./replay";
import type { MeteredRow } from "./row";

/** @internal */
export const BATCH_MAX_ROWS = 50;
/**
 * 20 ms holds one isolate to ≤ 50 calls a second to an account's object however busy it is (5 ms allowed 200,
 * and the object's soft limit is about 1,000), and measured a sixth less workerd CPU per request (ADR 026).
 * @internal
 */
export const BATCH_MAX_WAIT_MS = 20;
/** Tries of one batch before it is handed to the replay queue. */
const ATTEMPTS = 3;

type Grant = LeaseGrant | null;
type Batch = {
  rows: MeteredRow[];
  timer: ReturnType<typeof setTimeout> | undefined;
  done: boolean;
};
const batches = new Map<string, Batch>();

/** Calls made to account objects and the rows they carried, in this isolate (the bench reads them). */
const batchStats = { calls: 0, rows: 0 };

/** This isolate's batch calls to account objects so far, and their rows (Server-Timing's `meter` entry). */
export function meterCalls(): { calls: number; rows: number } {
  return { ...batchStats };
}

function open(accountId: string): Batch {
  let batch = batches.get(accountId);
  if (!batch) {
    batch = { rows: [], timer: undefined, done: false };
    batches.set(accountId, batch);
  }
  return batch;
}

/** Resolves, in the caller's own request, once the batch was delivered (or given up on). */
async function delivered(batch: Batch): Promise<void> {
  while (!batch.done) await new Promise((resolve) => setTimeout(resolve, BATCH_MAX_WAIT_MS));
}

/** What the isolate's leases (worker/billing/lease.ts) are told by every batch's reply: whether the lease is live. */
export type LeaseWatch = {
  /** The lease this isolate holds for the account, if any. */
  leaseOf(accountId: string): string | undefined;
  /** The object's answer about that lease arrived at `at`. */
  heard(accountId: string, leaseId: string, reply: LeaseGrant, at: number): void;
};
let watch: LeaseWatch | undefined;

/** The isolate's leases register here, so a batch without a renewal still tells them of a revoked lease. */
export function watchLeases(leases: LeaseWatch): void {
  watch = leases;
}

async function deliver(env: Env, accountId: string, rows: MeteredRow[], lease?: LeaseAsk): Promise<Grant> {
  batchStats.calls += 1;
  batchStats.rows += rows.length;
  // A renewal's reply is read by the renewal itself; a plain batch asks only whether the lease is still live.
  const holding = lease ? undefined : watch?.leaseOf(accountId);
  for (let attempt = 1; ; attempt++) {
    try {
      const reply = await accountObject(env, accountId).meterBatch(accountId, rows, lease, holding);
      if (holding && reply) watch?.heard(accountId, holding, reply, Date.now());
      return reply;
    } catch (error) {
      if (attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** Takes the account's pending rows off the queue and sends them, with `lease` if given. */
function take(accountId: string): Batch | undefined {
  const batch = batches.get(accountId);
  if (!batch) return undefined;
  batches.delete(accountId);
  return batch;
}

async function send(env: Env, accountId: string, lease?: LeaseAsk): Promise<Grant> {
  const batch = take(accountId);
  try {
    return await deliver(env, accountId, batch?.rows ?? [], lease);
  } catch (error) {
    // Three attempts failed: the rows go to the replay queue (worker/usage/replay.ts), whose consumer applies them
    // once the object answers again — their ids make a replay of rows the object did take harmless.
    if (batch?.rows.length) await handOffOrLog(env, accountId, batch.rows, error);
    return null;
  } finally {
    if (batch) batch.done = true;
  }
}

async function handOffOrLog(env: Env, accountId: string, rows: MeteredRow[], cause: unknown) {
  try {
    await handOff(env, { accountId, rows });
    log.warn("usage batch handed to the replay queue", { error: cause, rows: rows.length });
  } catch (error) {
    // Neither the object nor the queue took them: the one loss left (ADR 020), said by error name only.
    log.error("usage batch failed", { error, rows: rows.length });
  }
}

/** Queues one row; the promise settles once its batch was delivered (hand it to waitUntil). */
export function enqueueRow(env: Env, row: MeteredRow): Promise<void> {
  const batch = open(row.accountId);
  batch.rows.push(row);
  if (batch.rows.length >= BATCH_MAX_ROWS) return send(env, row.accountId).then(() => undefined);
  if (batch.timer === undefined) {
    // The first row's request sends the batch from its own timer, and waits for that call itself.
    return new Promise<void>((resolve) => {
      batch.timer = setTimeout(() => {
        // Unless another request already sent this batch (it filled up, or a lease renewal took it along).
        const sending = batches.get(row.accountId) === batch ? send(env, row.accountId) : delivered(batch);
        void sending.then(() => resolve());
      }, BATCH_MAX_WAIT_MS);
    });
  }
  return delivered(batch);
}

/** Sends the account's pending rows now, with a lease renewal; resolves to the object's answer. */
export function sendBatch(env: Env, accountId: string, lease: LeaseAsk): Promise<Grant> {
  return send(env, accountId, lease);
}
