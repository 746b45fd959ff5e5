// Growing delays after failed password attempts. Buckets name an (email, client address) pair or a client
// address, never an email alone: an attacker can slow themselves down, never lock the owner out.
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { authThrottles } from "../../db/schema";
import type { Db } from "../env";
import { tooManyRequests } from "../errors";
import type { AuthLimits } from "./auth-limits";

export type GrowingLimit = AuthLimits["loginPerAddress"];

/** The wait after `failures` failures: none while free, then base, 2×base, 4×base, … capped at max. */
function delayAfter(failures: number, limit: GrowingLimit): number {
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
 * Counts one attempt on a bucket *before* the password is checked, and starts its next delay, so parallel
 * guesses cannot all pass the check before the first failure is written: the free attempts are handed out
 * one by one (the count is atomic), and past them one attempt per elapsed delay (the claim is conditional).
 * Throws 429 when this attempt gets no slot. A streak is forgotten once the bucket has been quiet for twice
 * its longest delay, so an old mistake never slows down a new day.
 */
export async function takeAttempt(db: Db, bucket: string, limit: GrowingLimit, now = Date.now()) {
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
  if (delay === 0) return;
  const claimed = await db
    .update(authThrottles)
    .set({ blockedUntil: new Date(now + delay * 1000) })
    .where(and(eq(authThrottles.bucket, bucket), lte(authThrottles.blockedUntil, new Date(now))))
    .returning({ bucket: authThrottles.bucket });
  // Another attempt took the slot since this one passed refuseWhileDelayed: wait out its delay.
  if (claimed.length === 0) await refuseWhileDelayed(db, [bucket], now);
}

/** A success gives back the attempt it counted on a bucket it does not clear (the client address). */
export async function forgiveAttempt(db: Db, bucket: string): Promise<void> {
  await db
    .update(authThrottles)
    .set({ failures: sql`MAX(${authThrottles.failures} - 1, 0)` })
    .where(eq(authThrottles.bucket, bucket));
}

/** A success clears the streak of the buckets it proves innocent. */
export async function clearFailures(db: Db, buckets: string[]): Promise<void> {
  for (const bucket of buckets) await db.delete(authThrottles).where(eq(authThrottles.bucket, bucket));
}
