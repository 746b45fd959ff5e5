// The business answers its own contacts' data-rights requests: look up, export and erase what is held for one
// contact, found by the keyed hash of the number it types (the number itself is never stored or logged). Each
// request is recorded in the privacy trail (append-only), as counts only.
import type { Db } from "../../env";
import { holderLabel } from "../../privacy/receipts/readable";
import { subjectOf } from "../../privacy/subject";
import { recordTrail } from "../../privacy/trail";
import { contactHashes } from "../sealing";
import { eraseContact } from "./erase";
import { EXPORT, type Held, heldCounts, heldFor, LOOKUP, type Mode } from "./held";

type Asked = { accountId: string; waId: string };

const labelled = (held: Held) => ({
  ...held,
  stores: held.stores.map((s) => ({ ...s, label: holderLabel(s.holder) })),
});

async function trail(env: Env, db: Db, accountId: string, action: string, requestId: string, detail: object) {
  await recordTrail(db, {
    requestId,
    subject: await subjectOf(env, accountId),
    actor: "subject",
    action,
    detail: { ...detail },
  });
}

/** What is held for the contact, in the look-up's or the export's mode, with the request's counts in the trail. */
async function readHeld(env: Env, db: Db, asked: Asked, mode: Mode, action: string): Promise<Held> {
  const held = await heldFor(
    env,
    db,
    asked.accountId,
    await contactHashes(env, asked.accountId, asked.waId),
    mode,
  );
  await trail(env, db, asked.accountId, action, crypto.randomUUID(), { records: heldCounts(held) });
  return held;
}

/** What is held for the contact (counts, metadata; texts only while content logging is on). */
export async function lookUpContact(env: Env, db: Db, asked: Asked) {
  return labelled(await readHeld(env, db, asked, LOOKUP, "whatsapp_contact.looked_up"));
}

/** Everything held for the contact as one JSON document (logged copies decrypted), for the contact. */
export async function exportContact(env: Env, db: Db, asked: Asked) {
  const held = await readHeld(env, db, asked, EXPORT, "whatsapp_contact.exported");
  return {
    kind: "botmara-whatsapp-contact-export/1" as const,
    exportedAt: new Date().toISOString(),
    ...labelled(held),
  };
}

/** Erases the contact's data in every store; the signed receipt is returned and its counts recorded. */
export async function eraseContactData(env: Env, db: Db, asked: Asked & { origin: string }) {
  const requestedAt = new Date();
  const receipt = await eraseContact(env, {
    accountId: asked.accountId,
    hashes: await contactHashes(env, asked.accountId, asked.waId),
    subject: await subjectOf(env, asked.accountId),
    origin: asked.origin,
    requestedAt,
  });
  await trail(env, db, asked.accountId, "whatsapp_contact.erased", receipt.requestId, {
    erased: Object.fromEntries(receipt.erased.map((e) => [e.holder, e.records])),
    kid: receipt.kid,
  });
  return receipt;
}
