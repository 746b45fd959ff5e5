// MASTER_KEY rotation (cron): re-wraps data keys still wrapped by an older master key. Only the small
// wrapped keys change; stored content stays as it is, because the data keys themselves do not change.
import { and, eq, isNotNull, ne } from "drizzle-orm";
import { privacySettings } from "../../db/schema";
import { accountObject } from "../account-object/stub";
import { masterKeys } from "../crypto/master-key";
import { getDb } from "../db";
import { log } from "../observability/log";

const PER_TICK = 100;

/** Re-wraps up to PER_TICK keys; returns how many were re-wrapped. */
export async function rewrapDataKeys(env: Env): Promise<number> {
  const keys = await masterKeys(env);
  if (!keys) return 0;
  const db = getDb(env.DB);
  const stale = await db
    .select({ accountId: privacySettings.accountId })
    .from(privacySettings)
    .where(and(isNotNull(privacySettings.dataKeyKek), ne(privacySettings.dataKeyKek, keys.current.id)))
    .limit(PER_TICK);
  let rewrapped = 0;
  for (const { accountId } of stale) {
    try {
      // Loading the key re-wraps it under the current master key.
      const record = await accountObject(env, accountId).dataKey(accountId, false);
      await db
        .update(privacySettings)
        .set({ dataKeyKek: record?.kek ?? null })
        .where(eq(privacySettings.accountId, accountId));
      rewrapped += 1;
    } catch (error) {
      log.error("data key re-wrap failed", { error });
    }
  }
  return rewrapped;
}
