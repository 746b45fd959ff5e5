// The training export: the only path by which logged content can leave for training. It includes an
// object only if every check passes — consent recorded on the object when it was logged, consent in
// the account's history at that moment, consent still given now, the account live and not restricted (Art. 18), and the source not
// WhatsApp — so a stale cache, a withdrawal or a deletion can each only ever exclude content.
import { eq } from "drizzle-orm";
import { accounts } from "../../db/schema";
import { accountDataKey } from "../content/data-keys";
import { classPrefix, parseContentObjectKey, retentionClasses } from "../content/layout";
import { type ContentMetadata, openExchange } from "../content/store";
import type { Db } from "../env";
import { log } from "../observability/log";
import { readPrivacySettings, trainingConsentTimeline } from "../settings/store";

/** One line of the export: the exchange, with no account identity. */
type TrainingRecord = {
  requestId: string;
  source: string;
  model: string;
  createdAt: string;
  request: string;
  response: string;
};

const NEVER_EXPORTED_SOURCES = new Set(["whatsapp"]);

type AccountCheck = (loggedAt: Date) => boolean;

/** Per account, once per export: live, consenting now, and its consent timeline. */
async function accountCheck(db: Db, accountId: string): Promise<AccountCheck> {
  const account = await db
    .select({ status: accounts.status, restrictedAt: accounts.restrictedAt })
    .from(accounts)
    .where(eq(accounts.id, accountId))
    .get();
  if (account?.status !== "active") return () => false;
  // Art. 18: a restricted account's data is only stored, never handed on.
  if (account.restrictedAt !== null) return () => false;
  if (!(await readPrivacySettings(db, accountId)).trainingConsent) return () => false;
  return trainingConsentTimeline(db, accountId);
}

/** Every content object's key, metadata and upload time, class by class, page by page. */
async function* listContent(bucket: R2Bucket) {
  for (const days of retentionClasses) {
    let cursor: string | undefined;
    do {
      const page = await bucket.list({ prefix: classPrefix(days), cursor, include: ["customMetadata"] });
      yield* page.objects;
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
}

function eligibleByMetadata(object: R2Object): string | null {
  const meta = (object.customMetadata ?? {}) as Partial<ContentMetadata>;
  const parsed = parseContentObjectKey(object.key);
  if (!parsed || meta.acct !== parsed.accountId) return null;
  if (meta.consent !== "1" || !meta.source || NEVER_EXPORTED_SOURCES.has(meta.source)) return null;
  return parsed.accountId;
}

/** The objects the export includes, with their account, before anything is decrypted (the dry count). */
export async function* trainingInclusion(
  env: Env,
  db: Db,
): AsyncGenerator<{ object: R2Object; accountId: string }> {
  const checks = new Map<string, AccountCheck>();
  for await (const object of listContent(env.CONTENT)) {
    const accountId = eligibleByMetadata(object);
    if (!accountId) continue;
    let check = checks.get(accountId);
    if (!check) {
      check = await accountCheck(db, accountId);
      checks.set(accountId, check);
    }
    if (check(object.uploaded)) yield { object, accountId };
  }
}

/** The records the export may include, decrypted one object at a time. */
async function* trainingRecords(env: Env, db: Db): AsyncGenerator<TrainingRecord> {
  for await (const { object, accountId } of trainingInclusion(env, db)) {
    const record = await decryptForExport(env, object, accountId);
    if (record) yield record;
  }
}

async function decryptForExport(
  env: Env,
  object: R2Object,
  accountId: string,
): Promise<TrainingRecord | null> {
  try {
    const dataKey = await accountDataKey(env, accountId, { create: false });
    if (!dataKey || String(dataKey.keyVer) !== object.customMetadata?.keyVer) return null;
    const body = await env.CONTENT.get(object.key);
    if (!body) return null; // swept or deleted since it was listed
    const stored = await openExchange(object.key, new Uint8Array(await body.arrayBuffer()), dataKey);
    if (NEVER_EXPORTED_SOURCES.has(stored.source)) return null;
    const { requestId, source, model, createdAt, request, response } = stored;
    return { requestId, source, model, createdAt, request, response };
  } catch (error) {
    log.error("training export skipped an object", { error });
    return null;
  }
}

/** The export as NDJSON, produced as the client reads it. */
export function trainingExportStream(env: Env, db: Db): ReadableStream<Uint8Array> {
  const records = trainingRecords(env, db);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await records.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`));
    },
    async cancel() {
      await records.return(undefined);
    },
  });
}
