// Handing a usage row (and its credit settlement) to the account's Durable Object, which buffers both
// durably and flushes them to D1.
import { accountObject } from "../account/stub";
import type { CreditHold } from "../billing/credits";
import type { UsageRow } from "./row";

const ATTEMPTS = 3;

/**
 * Records one request's row and settles its credit hold in one call to the account's object; retried
 * because a lost row is a wrong bill (both sides ignore a repeated usage id).
 */
export async function recordUsage(env: Env, row: UsageRow, hold: CreditHold = null): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await accountObject(env, row.accountId).finishRequest(row, hold?.id ?? null, row.costMicros);
      return;
    } catch (error) {
      if (attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** Moves the account's buffered rows to D1 now, so a query right after a request sees it. */
export async function flushUsage(env: Env, accountId: string): Promise<void> {
  await accountObject(env, accountId).flushUsage();
}
