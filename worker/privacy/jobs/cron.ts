// Cron jobs of the privacy capability: deadline alerts to operators, the stalled-job watchdog, and
// purging what has outlived its reason (kept invoices past retain_until, expired exports, used links).
import { and, eq, inArray, isNotNull, lt, lte, sql } from "drizzle-orm";
import { privacyRequests, privacyTokens, retainedBilling } from "../../../db/schema";
import { accountObject } from "../../account-object/stub";
import { getConfig } from "../../config";
import { getDb } from "../../db";
import { sendNotice } from "../../notices/send";
import { DAY_MS } from "../../time";
import { deleteParts, type ExportManifest } from "../export/parts";
import { NEARLY_DUE_DAYS } from "../rights-requests/clock";
import { OPEN_STATUSES } from "../rights-requests/view";
import { recordTrail } from "../trail";

/** A running job whose request has not moved for this long gets its alarm re-armed. */
const STALL_MS = 10 * 60_000;

/**
 * Tells operators once when a request is nearly due (level 1) and once when it is overdue (level 2).
 * @internal
 */
export async function alertDeadlines(env: Env, now: Date): Promise<number> {
  const db = getDb(env.DB);
  const open = await db
    .select()
    .from(privacyRequests)
    .where(and(inArray(privacyRequests.status, [...OPEN_STATUSES]), lt(privacyRequests.alertLevel, 2)));
  let sent = 0;
  for (const r of open) {
    const left = r.dueAt.getTime() - now.getTime();
    const level = left < 0 ? 2 : left < NEARLY_DUE_DAYS * DAY_MS ? 1 : 0;
    if (level <= r.alertLevel) continue;
    const admins = [...getConfig(env).adminEmails];
    const what = level === 2 ? "is OVERDUE" : `is due within ${NEARLY_DUE_DAYS} days`;
    for (const to of admins) {
      await sendNotice(env, {
        to,
        kind: "operator_deadline",
        subject: `Privacy request ${r.id} ${what}`,
        text: `A ${r.type} request (${r.channel}, status ${r.status}) ${what}: due ${r.dueAt.toISOString()}. See /admin.`,
        accountId: null,
      });
    }
    await db.update(privacyRequests).set({ alertLevel: level }).where(eq(privacyRequests.id, r.id));
    await recordTrail(
      db,
      {
        requestId: r.id,
        subject: r.subject,
        actor: "system",
        action: level === 2 ? "deadline.overdue" : "deadline.near",
      },
      now,
    );
    sent += 1;
  }
  return sent;
}

/** Re-arms the Durable Object of every running request that has not moved for a while. */
async function resumeStalledJobs(env: Env, now: Date): Promise<number> {
  const stalled = await getDb(env.DB)
    .select({ accountId: privacyRequests.accountId })
    .from(privacyRequests)
    .where(
      and(
        eq(privacyRequests.status, "in_progress"),
        isNotNull(privacyRequests.accountId),
        lt(privacyRequests.updatedAt, new Date(now.getTime() - STALL_MS)),
      ),
    );
  for (const { accountId } of stalled) await accountObject(env, accountId!).resumePrivacyJobs();
  return stalled.length;
}

/** Deletes kept billing records whose legal period has ended. */
async function purgeRetainedBilling(env: Env, now: Date): Promise<number> {
  const res = await getDb(env.DB).delete(retainedBilling).where(lte(retainedBilling.retainUntil, now));
  return res.meta.changes ?? 0;
}

/** Deletes export files past their expiry, and links that can no longer be used. */
async function purgeExpiredExports(env: Env, now: Date): Promise<number> {
  const db = getDb(env.DB);
  const expired = await db
    .select({ id: privacyRequests.id, manifest: privacyRequests.exportManifest })
    .from(privacyRequests)
    .where(and(isNotNull(privacyRequests.exportManifest), lte(privacyRequests.exportExpiresAt, now)));
  for (const r of expired) {
    await deleteParts(env, JSON.parse(r.manifest!) as ExportManifest);
    await db
      .update(privacyRequests)
      .set({ exportManifest: null, progress: "export expired and deleted", updatedAt: now })
      .where(eq(privacyRequests.id, r.id));
  }
  await db.delete(privacyTokens).where(lt(privacyTokens.expiresAt, new Date(now.getTime() - DAY_MS)));
  await db.run(sql`DELETE FROM privacy_audit WHERE at < ${now.getTime() - 3 * 365 * DAY_MS}`);
  return expired.length;
}

export const privacyJobs = [
  { name: "privacy-deadlines", run: async (env: Env, now: Date) => void (await alertDeadlines(env, now)) },
  { name: "privacy-watchdog", run: async (env: Env, now: Date) => void (await resumeStalledJobs(env, now)) },
  {
    name: "privacy-retained-billing",
    run: async (env: Env, now: Date) => void (await purgeRetainedBilling(env, now)),
  },
  { name: "privacy-exports", run: async (env: Env, now: Date) => void (await purgeExpiredExports(env, now)) },
];
