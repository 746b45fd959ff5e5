// Failure counters: a dependency that failed where the work went on without it (content capture, mail
// delivery) is counted by name in D1, with the error's name only, so operators see it without logs.
import { sql } from "drizzle-orm";
import { failureCounts } from "../db/schema";
import { getDb } from "./db";

export type FailureName = "content_capture" | "notice_delivery";

/** Counts one failure; never throws (counting must not turn a handled failure into an unhandled one). */
export async function countFailure(env: Env, name: FailureName, error: unknown): Promise<void> {
  const lastError = error instanceof Error ? error.name : typeof error;
  const now = new Date();
  try {
    await getDb(env.DB)
      .insert(failureCounts)
      .values({ name, count: 1, lastError, lastAt: now })
      .onConflictDoUpdate({
        target: failureCounts.name,
        set: { count: sql`${failureCounts.count} + 1`, lastError, lastAt: now },
      });
  } catch {
    // D1 itself is failing; the caller already handled the original failure.
  }
}

/**
 * Every counter, for the operator view and the tests.
 * @internal
 */
export async function failureCountsNow(env: Env): Promise<Record<string, number>> {
  const rows = await getDb(env.DB).select().from(failureCounts);
  return Object.fromEntries(rows.map((r) => [r.name, r.count]));
}
