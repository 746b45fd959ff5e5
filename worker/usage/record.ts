// Handing a usage row to the account's Durable Object, which buffers it durably and flushes it to D1.
import { accountObject } from "../account/AccountDO";
import type { UsageRow } from "./row";

const ATTEMPTS = 3;

/** Records one row; retried because a lost row is a wrong bill (the buffer ignores a repeated id). */
export async function recordUsage(env: Env, row: UsageRow): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await accountObject(env, row.accountId).recordUsage(row);
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
