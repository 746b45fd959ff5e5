// Growing delays after failed password attempts. Buckets name an (email, client address) pair or a client
// address, never an email alone: an attacker can slow themselves down, never lock the owner out.
import { eq, inArray, sql } from "drizzle-orm";
import { authThrottles } from "../../db/schema";
import type { Db } from "../env";
import { tooManyRequests } from "../errors";
import type { AuthLimits } from "./auth-limits";

export type GrowingLimit = AuthLimits["loginPerAddress"];

/** The wait after `failures` failures: none while free, then base, 2×base, 4×base, … capped at max. */
export function delayAfter(failures: number, limit: GrowingLimit): number {
  if (failures < limit.free) return 0;
  const doublings = Math.min(failures - limit.free, 20);
  return Math.min(limit.baseSeconds * 2 ** doublings, limit.maxSeconds);
}

/** Throws 429 with Retry-After when any of the buckets is still waiting out a delay. Counts nothing. */
export async function refuseWhileDelayed(db: Db, buckets: string[], now = Date.now()): Promise<void> {
  if (buckets.length === 0) return;
  const rows = await db
    .select({ blockedUntil: authThrottles.blockedUntil })
    .from(authThrottles)
    .where(inArray(authThrottles.bucket, buckets));
  const until = Math.max(0, ...rows.map((r) => r.blockedUntil.getTime()));
  if (until > now) throw tooManyRequests((until - now) / 1000, "Too many attempts. Try again later.");
}

/**
 * Counts one failure on a bucket and starts its next delay. A streak is forgotten once the bucket has been
 * quiet for twice its longest delay, so an old mistake never slows down a new day.
 */
export async function recordFailure(db: Db, bucket: string, limit: GrowingLimit, now = Date.now()) {
  const forgetBefore = now - 2 * limit.maxSeconds * 1000;
  const [row] = await db
    .insert(authThrottles)
    .values({ bucket, failures: 1, lastFailureAt: new Date(now), blockedUntil: new Date(0) })
    .onConflictDoUpdate({
      target: authThrottles.bucket,
      set: {
        failures: sql`CASE WHEN ${authThrottles.lastFailureAt} < ${forgetBefore} THEN 1 ELSE ${authThrottles.failures} + 1 END`,
        lastFailureAt: new Date(now),
      },
    })
    .returning({ failures: authThrottles.failures });
  const delay = delayAfter(row?.failures ?? 1, limit);
  if (delay > 0) {
    await db
      .update(authThrottles)
      .set({ blockedUntil: new Date(now + delay * 1000) })
      .where(eq(authThrottles.bucket, bucket));
  }
}

/** A success clears the streak of the buckets it proves innocent. */
export async function clearFailures(db: Db, buckets: string[]): Promise<void> {
  for (const bucket of buckets) await db.delete(authThrottles).where(eq(authThrottles.bucket, bucket));
}
