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

/**
 * The client address as Cloudflare reports it (loopback in local runs). An IPv6 address counts as its /64:
 * one subscriber is handed a whole /64, so a per-address throttle on single IPv6 addresses is no throttle.
 */
export function clientAddress(headers: Headers): string {
  const address = headers.get("cf-connecting-ip") ?? "local";
  if (!address.includes(":")) return address;
  // An IPv4-mapped address (::ffff:192.0.2.1) is its IPv4 address.
  return address.includes(".") ? address.slice(address.lastIndexOf(":") + 1) : ipv6Prefix64(address);
}

/** The first four groups of an IPv6 address, expanded (`2001:db8::1` → `2001:db8:0:0::/64`). */
function ipv6Prefix64(address: string): string {
  const [head = "", tail] = address.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, "") || "0")
    .join(":")}::/64`;
}
