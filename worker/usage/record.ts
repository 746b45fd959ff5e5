// Handing a usage row (and its credit settlement) to the account's Durable Object, which buffers both
// durably and flushes them to D1.
import { accountObject } from "../account-object/stub";
import type { CreditHold } from "../billing/credits";
import { isolateLeases } from "../billing/lease";
import { enqueueRow } from "./batcher";
import type { UsageRow } from "./row";

/**
 * Records one request's row and settles its credit hold: queued for the account's next batch (ADR 026). A
 * lease reservation is settled in the isolate at once. The promise settles when the batch was delivered
 * (hand it to waitUntil); both sides ignore a repeated usage id.
 */
export function recordUsage(env: Env, row: UsageRow, hold: CreditHold = null): Promise<void> {
  if (hold?.leaseId)
    isolateLeases.settle(hold.accountId, hold.leaseId, hold.amountMicros, row.costMicros, hold.keyId);
  return enqueueRow(env, {
    ...row,
    holdId: hold?.id ?? null,
    leaseId: hold?.leaseId ?? null,
    ...(hold?.keyId ? { keyLeased: true } : {}),
  });
}

/** Moves the account's buffered rows to D1 now, so a query right after a request sees it. */
export async function flushUsage(env: Env, accountId: string): Promise<void> {
  await accountObject(env, accountId).flushUsage();
}
