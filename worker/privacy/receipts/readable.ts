// A deletion receipt in plain language: what was erased, what is kept, why and until when, and how to
// check the signature — for the completion notice and the /privacy/verify page alike.
import { formatCount } from "../../format";
import { KEYS_PATH, type SignedReceipt } from "./receipt";
import type { ReadableReceipt } from "./views";

/** The /privacy/verify page renders this shape. */

/**
 * Plain names of the holders and deletion steps a receipt lists (every one has a name: a test checks).
 * @internal
 */
export const HOLDER_LABELS: Record<string, string> = {
  data_key: "Your encryption key (every stored copy of your content became unreadable)",
  stripe_customer: "Your customer record at our payment provider",
  usage_buffer: "Usage records not yet written",
  credit_buffer: "Charges not yet written",
  profile: "Your account (email, name)",
  content: "Logged prompts and responses",
  exports: "Data export files",
  usage: "Usage records (one per API request)",
  usage_hourly: "Usage totals per hour",
  usage_daily: "Usage totals per day",
  api_keys: "API keys",
  sessions: "Browser sessions",
  settings: "Privacy settings",
  consent_history: "Consent history",
  billing: "Plan, credit ledger and invoice references",
  whatsapp_connection: "WhatsApp connection",
  whatsapp_messages: "WhatsApp message records",
  whatsapp_pending: "WhatsApp replies still being sent",
  whatsapp_context: "WhatsApp conversation context",
  whatsapp_contacts: "WhatsApp opt-outs and hand-offs",
  whatsapp_logged_content: "WhatsApp messages and replies kept by content logging",
  whatsapp_hand_off_notices: "Hand-off notices about this WhatsApp contact",
  whatsapp_contact_erasures: "Notes of erased WhatsApp contacts (their hash encrypted)",
  notices: "Notices we sent you",
  notice_outbox: "Notices waiting to be mailed",
  dpa_acceptances: "Data processing agreement acceptances",
  privacy_requests: "Pending confirmation links",
  provider_keys: "Your own AI provider keys",
  totp_factors: "Authenticator app",
  passkeys: "Passkeys",
  recovery_codes: "Recovery codes",
  auth_challenges: "Sign-in challenges in progress",
};

/** A name no label was written for still reads as words, never as an internal name with underscores. */
export const holderLabel = (name: string) => {
  const label = HOLDER_LABELS[name];
  if (label) return label;
  const words = name.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const records = (n: number) => formatCount(n, "record");

/** The readable view of a signed (or earlier) receipt's content. */
export function readableReceipt(receipt: Record<string, unknown>): ReadableReceipt {
  const r = receipt as Partial<SignedReceipt>;
  return {
    requestId: String(r.requestId ?? ""),
    requestedAt: String(r.requestedAt ?? ""),
    completedAt: String(r.completedAt ?? ""),
    erased: (r.erased ?? []).map((e) => ({
      label: holderLabel(e.holder),
      records: e.records,
      location: e.location,
    })),
    kept: (r.retained ?? []).map((k) => ({ what: k.what, why: k.legalBasis, until: k.until })),
    backups: String(r.backups ?? ""),
    kid: typeof r.kid === "string" ? r.kid : null,
  };
}

/** The completion notice: the receipt in words, then the signed receipt itself, so the person keeps it. */
export function receiptNotice(receipt: SignedReceipt, origin: string): string {
  const view = readableReceipt(receipt);
  return [
    `Your account and its data have been deleted (request ${view.requestId}, asked ${view.requestedAt}, completed ${view.completedAt}).`,
    "What we erased:",
    view.erased.map((e) => `- ${e.label}: ${records(e.records)}`).join("\n"),
    "What we keep, why, and until when:",
    view.kept.map((k) => `- ${k.what}. Why: ${k.why}. Until: ${k.until}.`).join("\n"),
    `Backups: ${view.backups}`,
    `This receipt is signed with our Ed25519 key ${receipt.kid}. Anyone can check it without asking us: paste the signed receipt below at ${origin}/privacy/verify, or verify it offline against the public keys at ${origin}${KEYS_PATH}.`,
    "Signed receipt (compact JWS):",
    receipt.jws,
    "The same receipt as JSON:",
    JSON.stringify(receipt, null, 2),
  ].join("\n\n");
}
