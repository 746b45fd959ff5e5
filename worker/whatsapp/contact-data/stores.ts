// Everything the platform keeps about one WhatsApp contact of one account, store by store. Each item carries the
// contact's keyed hash (a column, or the logged copy's R2 metadata), so a contact's data is found — and erased —
// without opening anything. A table a WhatsApp capability adds for a contact belongs here: a test fails for any
// `whatsapp_*` table that names a contact without being listed, or that holds per-contact rows without the hash.
import { contentPrefixes } from "../../privacy/holders/content";

/** A sealed column shown (decrypted) only when the account may read its WhatsApp content. */
type SealedColumn = { column: string; label: string; field: (row: Record<string, unknown>) => string };

/** A WhatsApp message's metadata as the account sees it: ids, direction, type, status and times. */
export const MESSAGE_COLUMNS = [
  "id",
  "phone_number_id",
  "direction",
  "type",
  "status",
  "sent_at",
  "created_at",
  "updated_at",
  "related_id",
  "error",
];

/** A contact's opt-out and hand-off state as the account sees it, per number. */
export const CONTACT_STATE_COLUMNS = [
  "phone_number_id",
  "opted_out_at",
  "paused_at",
  "paused_by",
  "last_inbound_at",
  "reply_until",
  "updated_at",
];

export type ContactTable = {
  /** The holder's name in the receipt (labelled in HOLDER_LABELS). */
  holder: string;
  table: string;
  /** What the look-up and export show: ids, states and times (never hashes or sealed values). */
  columns: string[];
  /** Sealed texts: decrypted for the look-up and the export only while content logging is on. */
  sealed: SealedColumn[];
  /** Newest first. */
  order: string;
};

export const CONTACT_TABLES: ContactTable[] = [
  {
    holder: "whatsapp_messages",
    table: "whatsapp_messages",
    // Also, for an inbound message, the model call that answered it, to find its request-log record.
    columns: [...MESSAGE_COLUMNS, "request_id"],
    sealed: [],
    order: "created_at DESC",
  },
  {
    holder: "whatsapp_pending",
    table: "whatsapp_pending",
    columns: ["message_id", "quoted_id", "expires_at"],
    sealed: [
      { column: "body_sealed", label: "text", field: (r) => `pending.body|${r.message_id}` },
      { column: "reply_sealed", label: "reply", field: (r) => `pending.reply|${r.message_id}` },
    ],
    order: "expires_at DESC",
  },
  {
    holder: "whatsapp_context",
    table: "whatsapp_context",
    columns: ["message_id", "phone_number_id", "role", "created_at", "expires_at"],
    sealed: [{ column: "body_sealed", label: "text", field: (r) => `context|${r.message_id}` }],
    order: "created_at DESC",
  },
  {
    holder: "whatsapp_contacts",
    table: "whatsapp_contacts",
    columns: CONTACT_STATE_COLUMNS,
    sealed: [],
    order: "updated_at DESC",
  },
];

/**
 * WhatsApp tables that hold no per-contact rows: the numbers themselves, and the record of erasures (which keeps
 * the erased hash only sealed, for the promise check).
 * @internal
 */
export const NOT_PER_CONTACT = new Set([
  "whatsapp_connections",
  "whatsapp_contact_erasures",
  // A number's templates and Meta's notices about it (ADR 065): the business's, about no contact.
  "whatsapp_templates",
  "whatsapp_number_events",
]);

/**
 * Hand-off notices to the business are keyed by the contact's hash (so a retried hand-off is mailed once): the
 * outbox keeps the key 7 days after sending, the local mailbox for good. Erasure deletes them by that key.
 */
export const NOTICE_HOLDER = "whatsapp_hand_off_notices";
export const NOTICE_TABLES = ["notice_outbox", "notices"] as const;
const NOTICE_KEY = "whatsapp-hand-off:";
/** The rows whose key names the contact (`whatsapp-hand-off:<number>:<hash>:<ms>`; D1 refuses a LIKE this long). */
export const noticeKeyNames = (table: string) =>
  `FROM "${table}" WHERE substr(id, 1, ${NOTICE_KEY.length}) = '${NOTICE_KEY}' AND instr(id, ?) > 0`;
export const noticeKeyPart = (hash: string) => `:${hash}:`;

/** The logged copies (content logging on) of this contact's conversations, found by their metadata. */
export const LOGGED_HOLDER = "whatsapp_logged_content";

const LIST_PAGE = 1_000;

/** `contact_hash IN (?, …)` for the contact's hashes (more than one only during a master key rotation). */
export const hashIn = (hashes: string[]) => `contact_hash IN (${hashes.map(() => "?").join(", ")})`;

/** Every logged object of the account whose metadata names this contact, in every retention class. */
export async function* loggedObjects(
  env: Env,
  accountId: string,
  hashes: string[],
): AsyncGenerator<R2Object> {
  for (const prefix of contentPrefixes(accountId)) {
    let cursor: string | undefined;
    do {
      const page = await env.CONTENT.list({ prefix, cursor, limit: LIST_PAGE, include: ["customMetadata"] });
      for (const object of page.objects)
        if (hashes.includes(object.customMetadata?.contact ?? "")) yield object;
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
}
