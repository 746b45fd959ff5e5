// The retention sweep (cron): deletes logged content the moment it is past its time. R2 lifecycle
// rules expire each class too, but can lag a day; and a shortened retention applies here to content
// already stored, since the sweep measures each object against min(its class, the account's setting).
import { inArray } from "drizzle-orm";
import { privacySettings } from "../../db/schema";
import { getDb } from "../db";
import type { Db } from "../env";
import { DAY_MS } from "../time";
import { classPrefix, parseContentObjectKey, type RetentionDays, retentionClasses } from "./layout";

const D1_PARAMS = 90;

/** The current retention setting of each account (absent: no setting row, the class decides). */
async function currentRetention(db: Db, accountIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < accountIds.length; i += D1_PARAMS) {
    const rows = await db
      .select({ accountId: privacySettings.accountId, retentionDays: privacySettings.retentionDays })
      .from(privacySettings)
      .where(inArray(privacySettings.accountId, accountIds.slice(i, i + D1_PARAMS)));
    for (const r of rows) out.set(r.accountId, r.retentionDays);
  }
  return out;
}

function isDue(object: R2Object, days: RetentionDays, retention: Map<string, number>, now: Date): boolean {
  const parsed = parseContentObjectKey(object.key);
  if (!parsed) return false; // not ours to judge
  const keepDays = Math.min(days, retention.get(parsed.accountId) ?? days);
  return object.uploaded.getTime() + keepDays * DAY_MS <= now.getTime();
}

/** Deletes every content object past its retention at `now`; returns how many went. */
export async function sweepExpiredContent(env: Env, now: Date): Promise<number> {
  const db = getDb(env.DB);
  let deleted = 0;
  for (const days of retentionClasses) {
    let cursor: string | undefined;
    do {
      const page = await env.CONTENT.list({ prefix: classPrefix(days), cursor, limit: 1000 });
      const accountIds = [
        ...new Set(page.objects.flatMap((o) => parseContentObjectKey(o.key)?.accountId ?? [])),
      ];
      const retention = await currentRetention(db, accountIds);
      const due = page.objects.filter((o) => isDue(o, days, retention, now)).map((o) => o.key);
      if (due.length > 0) await env.CONTENT.delete(due);
      deleted += due.length;
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
  return deleted;
}
