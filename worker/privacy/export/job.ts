// The export job, run by the account's Durable Object in bounded steps: one holder page at a time,
// each page sealed into its own R2 part, the position persisted after every part.
import { eq } from "drizzle-orm";
import { accounts, privacyRequests } from "../../../db/schema";
import { getConfig } from "../../config";
import { getDb } from "../../db";
import { sendNotice } from "../../notices/send";
import { durationText } from "../../time";
import type { DataHolder } from "../holders/holder";
import type { Inside } from "../jobs/run";
import { MANIFEST_KIND, type ManifestBody, signDocument } from "../receipts/receipt";
import { recordTrail } from "../trail";
import { type ExportManifest, type ExportPart, partKey, writePart } from "./parts";
import { EXPORT_TTL_MS } from "./ttl";

export const EXPORTS_STATE = "privacy:exports";

export type ExportState = {
  requestId: string;
  accountId: string;
  subject: string;
  origin: string;
  holder: number;
  cursor: string | null;
  parts: ExportPart[];
  counts: Record<string, number>;
};

export async function queueExport(
  storage: DurableObjectStorage,
  job: Omit<ExportState, "holder" | "cursor" | "parts" | "counts">,
) {
  const queue = (await storage.get<ExportState[]>(EXPORTS_STATE)) ?? [];
  if (!queue.some((j) => j.requestId === job.requestId)) {
    queue.push({ ...job, holder: 0, cursor: null, parts: [], counts: {} });
    await storage.put(EXPORTS_STATE, queue);
  }
}

export async function exportsPending(storage: DurableObjectStorage): Promise<boolean> {
  return ((await storage.get<ExportState[]>(EXPORTS_STATE)) ?? []).length > 0;
}

/** Advances the oldest queued export; returns true while work remains. */
export async function advanceExports(
  ctx: DurableObjectState,
  env: Env,
  inside: Inside,
  holders: DataHolder[],
  budgetMs: number,
): Promise<boolean> {
  const queue = (await ctx.storage.get<ExportState[]>(EXPORTS_STATE)) ?? [];
  const job = queue[0];
  if (!job) return false;
  // An export holds everything held at the moment it is made, including what still waits in the object.
  for (const buffer of inside.buffers) await buffer.flush();
  const held = {
    dataKey: () => inside.dataKey.usable(job.accountId),
    requestLog: (cursor: string | null) => inside.requestLog.exportPage(job.accountId, cursor),
  };
  const exportable = holders.filter((h) => h.export);
  const started = Date.now();
  while (job.holder < exportable.length) {
    if (Date.now() - started > budgetMs) return true;
    const holder = exportable[job.holder]!;
    const page = await holder.export!(env, job.accountId, job.cursor, held);
    if (page.rows.length > 0) {
      const key = partKey(job.accountId, job.requestId, job.parts.length);
      await writePart(env, job.accountId, job.requestId, key, page.rows);
      job.parts.push({ holder: holder.name, key, rows: page.rows.length });
    }
    job.counts[holder.name] = (job.counts[holder.name] ?? 0) + page.rows.length;
    if (page.next === null) {
      job.holder += 1;
      job.cursor = null;
    } else job.cursor = page.next;
    await ctx.storage.put(EXPORTS_STATE, queue);
  }
  await finishExport(env, job);
  queue.shift();
  await ctx.storage.put(EXPORTS_STATE, queue);
  return queue.length > 0;
}

async function finishExport(env: Env, job: ExportState): Promise<void> {
  const db = getDb(env.DB);
  const now = new Date();
  const generatedAt = now.toISOString();
  const signed = await signDocument<ManifestBody>(env, job.origin, getConfig(env).appName, {
    kind: MANIFEST_KIND,
    requestId: job.requestId,
    subject: job.subject,
    generatedAt,
    counts: job.counts,
  });
  const manifest: ExportManifest = { generatedAt, parts: job.parts, counts: job.counts, signed };
  await db
    .update(privacyRequests)
    .set({
      status: "completed",
      completedAt: now,
      updatedAt: now,
      progress: "ready to download",
      exportManifest: JSON.stringify(manifest),
      exportExpiresAt: new Date(now.getTime() + EXPORT_TTL_MS),
    })
    .where(eq(privacyRequests.id, job.requestId));
  await recordTrail(db, {
    requestId: job.requestId,
    subject: job.subject,
    actor: "system",
    action: "export.ready",
    detail: { counts: job.counts, parts: job.parts.length },
  });
  const [account] = await db
    .select({ email: accounts.email })
    .from(accounts)
    .where(eq(accounts.id, job.accountId));
  if (account) {
    await sendNotice(env, {
      to: account.email,
      kind: "export_ready",
      subject: "Your data export is ready",
      text: `The export of your data you asked for is ready. Download it within ${durationText(EXPORT_TTL_MS)}, after logging in:\n\n${job.origin}/dashboard/privacy`,
      accountId: job.accountId,
      key: `export-ready/${job.requestId}`,
    });
  }
}
