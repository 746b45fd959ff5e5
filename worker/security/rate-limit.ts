// Fixed-window throttling in D1 for low-volume, abuse-prone routes (signup, reset mails, verification resends).
import { sql } from "drizzle-orm";
import { rateLimits } from "../../db/schema";
import type { Db } from "../env";
import { tooManyRequests } from "../errors";

/** Counts a hit on `bucket`; true while at most `limit` hits fall in the current window. */
export async function countHit(db: Db, bucket: string, limit: number, windowSeconds: number) {
  const now = Math.floor(Date.now() / 1000);
  const windowStart = now - (now % windowSeconds);
  const [row] = await db
    .insert(rateLimits)
    .values({ bucket, windowStart, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.bucket,
      set: {
        count: sql`CASE WHEN ${rateLimits.windowStart} = ${windowStart} THEN ${rateLimits.count} + 1 ELSE 1 END`,
        windowStart,
      },
    })
    .returning({ count: rateLimits.count });
  return { allowed: (row?.count ?? 0) <= limit, retryAfter: windowStart + windowSeconds - now };
}

/** Counts a hit on `bucket`; throws 429 with Retry-After once `limit` hits fall in the current window. */
export async function throttle(db: Db, bucket: string, limit: number, windowSeconds: number): Promise<void> {
  const { allowed, retryAfter } = await countHit(db, bucket, limit, windowSeconds);
  if (!allowed) throw tooManyRequests(retryAfter);
}

/** The client address as Cloudflare reports it; loopback in local runs. */
export function clientAddress(headers: Headers): string {
  return headers.get("cf-connecting-ip") ?? "local";
}
