// Erasing one contact's data at the business's request: every contact table (by the keyed hash), the logged
// copies in R2 (by their metadata), then a signed receipt (the deletion receipts' Ed25519 JWS, so /privacy/verify
// checks it) and a sealed note of the erased hash for 30 days, so the promise check can look for anything left.
import { lte } from "drizzle-orm";
import { whatsappContactErasures } from "../../../db/schema";
import { getConfig } from "../../config";
import type { Db } from "../../env";
import { type Signed, signDocument } from "../../privacy/receipts/receipt";
import { DAY_MS } from "../../time";
import { seal } from "../sealing";
import { METADATA_RETENTION_DAYS } from "../window";
import {
  CONTACT_TABLES,
  hashIn,
  LOGGED_HOLDER,
  loggedObjects,
  NOTICE_HOLDER,
  NOTICE_TABLES,
  noticeKeyNames,
  noticeKeyPart,
} from "./stores";

export const CONTACT_RECEIPT_KIND = "botmara-contact-erasure-receipt/1";
/** How long the sealed note of an erased contact is kept for the promise check. */
export const ERASURE_NOTE_DAYS = 30;
/** D1 Time Travel keeps point-in-time backups this long (as for account deletion). */
const BACKUP_DAYS = 30;
const DELETE_BATCH = 1_000;

export type ContactReceiptBody = {
  kind: typeof CONTACT_RECEIPT_KIND;
  issuer: string;
  kid: string;
  keys: string;
  requestId: string;
  /** The account's pseudonym in the privacy trail (never the account id, never the contact's number or hash). */
  subject: string;
  requestedAt: string;
  completedAt: string;
  issuedAt: string;
  erased: { holder: string; location: string; records: number }[];
  retained: { what: string; legalBasis: string; until: string }[];
  backups: string;
};

export const sealedNoteField = (erasureId: string) => `contact-erasure|${erasureId}`;

const LOCATIONS: Record<string, string> = {
  [LOGGED_HOLDER]: "R2 content/<retention class>/<account>/ (objects whose metadata names the contact)",
  [NOTICE_HOLDER]: "D1 tables notice_outbox and notices (hand-off notices keyed by the contact's hash)",
};

/** Erases everything held for the contact in the account; returns the signed receipt. */
export async function eraseContact(
  env: Env,
  input: { accountId: string; hashes: string[]; subject: string; origin: string; requestedAt: Date },
): Promise<Signed<ContactReceiptBody>> {
  const { accountId, hashes } = input;
  const erasureId = crypto.randomUUID();
  // R2 first: if D1 failed after, a repeat finds the rows still there (and no objects left to miss).
  let logged = 0;
  let batch: string[] = [];
  for await (const object of loggedObjects(env, accountId, hashes)) {
    batch.push(object.key);
    if (batch.length === DELETE_BATCH) {
      await env.CONTENT.delete(batch);
      logged += batch.length;
      batch = [];
    }
  }
  if (batch.length) await env.CONTENT.delete(batch);
  logged += batch.length;
  const now = new Date();
  const note = await seal(env, accountId, sealedNoteField(erasureId), hashes.join(","));
  const notices = NOTICE_TABLES.flatMap((t) =>
    hashes.map((h) => env.DB.prepare(`DELETE ${noticeKeyNames(t)}`).bind(noticeKeyPart(h))),
  );
  const results = await env.DB.batch([
    ...notices,
    ...CONTACT_TABLES.map((t) =>
      env.DB.prepare(`DELETE FROM "${t.table}" WHERE account_id = ? AND ${hashIn(hashes)}`).bind(
        accountId,
        ...hashes,
      ),
    ),
    env.DB.prepare(
      "INSERT INTO whatsapp_contact_erasures (id, account_id, contact_hash_sealed, erased_at) VALUES (?, ?, ?, ?)",
    ).bind(erasureId, accountId, note, now.getTime()),
  ]);
  const changes = results.map((r) => r.meta.changes ?? 0);
  const erased = [
    ...CONTACT_TABLES.map((t, i) => ({
      holder: t.holder,
      location: `D1 table ${t.table}`,
      records: changes[notices.length + i] ?? 0,
    })),
    { holder: LOGGED_HOLDER, location: LOCATIONS[LOGGED_HOLDER]!, records: logged },
    {
      holder: NOTICE_HOLDER,
      location: LOCATIONS[NOTICE_HOLDER]!,
      records: changes.slice(0, notices.length).reduce((a, b) => a + b, 0),
    },
  ];
  return signDocument<ContactReceiptBody>(env, input.origin, getConfig(env).appName, {
    kind: CONTACT_RECEIPT_KIND,
    requestId: erasureId,
    subject: input.subject,
    requestedAt: input.requestedAt.toISOString(),
    completedAt: now.toISOString(),
    issuedAt: now.toISOString(),
    erased,
    retained: [
      {
        what: "The usage records of the model calls that answered this contact (model, tokens, cost, status — no number, no hash, no text); nothing links them to the contact any more",
        legalBasis: "The business's own billing and statements (contract)",
        until: `the request log's retention (${getConfig(env).ai.usageRetentionDays} days after each call)`,
      },
      {
        what: "A note that a contact's data was erased, with the contact's keyed hash encrypted under your account's key, so our promise check can confirm nothing was left",
        legalBasis: "GDPR Art. 5(2): accountability for the erasure",
        until: `${ERASURE_NOTE_DAYS} days, then deleted`,
      },
    ],
    backups: `Live data erased at ${now.toISOString()}. Database point-in-time backups (D1 Time Travel) expire by ${new Date(now.getTime() + BACKUP_DAYS * DAY_MS).toISOString()}; message texts in them stay sealed under your account's key, and metadata in them is at most ${METADATA_RETENTION_DAYS} days old.`,
  });
}

/** The cron's part: erasure notes past their 30 days. */
export async function purgeErasureNotes(db: Db, now: number): Promise<void> {
  await db
    .delete(whatsappContactErasures)
    .where(lte(whatsappContactErasures.erasedAt, new Date(now - ERASURE_NOTE_DAYS * DAY_MS)));
}
