// The registry of data holders: everything the platform keeps about an account, in erase order.
// A capability that stores something new about an account adds its holder here; the export, the
// deletion and the completeness test (every table with an account_id must be covered) all follow.
import { CHALLENGE_TTL_MS } from "../../accounts/second-factor/challenges";
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "../../accounts/session-timing";
import type { Config } from "../../config";
import { EXPORTS_PREFIX } from "../../content/layout";
import { SENT_KEPT_MS } from "../../notices/outbox";
import { requestLogHolder } from "../../request-log/holder";
import { DAY_MS, durationText } from "../../time";
import { ERASURE_NOTE_DAYS } from "../../whatsapp/contact-data/erase";
import { CONTACT_STATE_COLUMNS, MESSAGE_COLUMNS } from "../../whatsapp/contact-data/stores";
import { METADATA_RETENTION_DAYS, WINDOW_MS } from "../../whatsapp/window";
import { EXPORT_TTL_MS } from "../export/ttl";
import { billingHolder } from "./billing";
import { contentHolder } from "./content";
import { HOSTING, hostingTransfers, LEGAL_BASIS, mailRecipient, PAYMENTS, WHATSAPP } from "./declarations";
import type { DataHolder, Processing } from "./holder";
import { erasePrefixes } from "./r2-prefix";
import { exportTablePage, tableHolder } from "./table";

export const exportPrefix = (accountId: string) => `${EXPORTS_PREFIX}${accountId}/`;

/** Held for as long as the account exists, only on Cloudflare, to provide the service. */
const forTheAccount =
  (purpose: string, categories: string[], extra: Partial<Processing> = {}) =>
  (config: Config): Processing => ({
    purpose,
    legalBasis: LEGAL_BASIS.contract,
    categories,
    recipients: [HOSTING],
    retention: `For as long as the account exists; erased within ${config.policy.deletionDeadlineDays} days of a deletion request`,
    transfers: hostingTransfers(config),
    ...extra,
  });

/** Kept after the erasure of the account, detached from it, for accountability (Art. 5(2)). */
const REQUEST_RECORDS_YEARS = 3;

const profile: DataHolder = {
  ...tableHolder({
    name: "profile",
    description: "Your account: email address, name, status and dates (never the password hash)",
    table: "accounts",
    accountColumn: "id",
    columns: [
      "id",
      "email",
      "email_verified_at",
      "name",
      "status",
      "restricted_at",
      "created_at",
      "updated_at",
    ],
    processing: (config) => ({
      ...forTheAccount("Your account: signing in and reaching you", [
        "email address",
        "name",
        "account dates",
      ])(config),
      recipients: [
        HOSTING,
        mailRecipient(config),
        `${PAYMENTS} (your email on the Stripe customer, if you pay)`,
      ],
    }),
  }),
  // The account row goes last: it carries the tombstone. Throttles named by the account go with it (login
  // pairs are named by a hash of email and client address only, and are forgotten within hours).
  async erase(env, accountId) {
    const row = await env.DB.prepare("SELECT email FROM accounts WHERE id = ?")
      .bind(accountId)
      .first<{ email: string }>();
    const statements = [
      env.DB.prepare("DELETE FROM auth_throttles WHERE bucket LIKE ? OR bucket LIKE ? OR bucket = ?").bind(
        `pwcheck:${accountId}|%`,
        `2fa:${accountId}|%`,
        `2fa:${accountId}`,
      ),
      env.DB.prepare("DELETE FROM rate_limits WHERE bucket IN (?, ?)").bind(
        `verify-resend:${accountId}`,
        `reset:account:${accountId}`,
      ),
      env.DB.prepare("DELETE FROM accounts WHERE id = ?").bind(accountId),
    ];
    if (row)
      statements.unshift(
        env.DB.prepare("DELETE FROM rate_limits WHERE bucket = ?").bind(`login:email:${row.email}`),
      );
    const results = await env.DB.batch(statements);
    return { erased: results.at(-1)?.meta.changes ?? 0, next: null };
  },
};

const privacyRequestsHolder: DataHolder = {
  name: "privacy_requests",
  description: "Your privacy requests, their timeline, and the privacy trail of what was done for them",
  location: "D1 tables privacy_requests, privacy_audit, privacy_tokens",
  processing: (config) => ({
    purpose: "Handling your privacy requests and proving we did (accountability)",
    legalBasis:
      "Legal obligation (GDPR Arts. 12–22 and 5(2)): answering and documenting data-rights requests",
    categories: [
      "request type, status and dates",
      "an objection's text and its answer",
      "the audit trail of each step (no content)",
    ],
    recipients: [HOSTING],
    retention: `While the account exists; after its deletion, the request and its trail, detached from the account, ${REQUEST_RECORDS_YEARS} years`,
    transfers: hostingTransfers(config),
  }),
  async export(env, accountId, cursor) {
    const page = await exportTablePage(
      env,
      {
        name: "privacy_requests",
        description: "",
        table: "privacy_requests",
        columns: [
          "id",
          "type",
          "channel",
          "status",
          "received_at",
          "due_at",
          "verified_at",
          "started_at",
          "completed_at",
          "denied_at",
          "canceled_at",
          "denial_reason",
          "note",
          "answer",
        ],
      },
      accountId,
      cursor,
    );
    const rows = [];
    for (const request of page.rows as { id: string }[]) {
      const { results } = await env.DB.prepare(
        "SELECT at, actor, action, detail FROM privacy_audit WHERE request_id = ? ORDER BY at",
      )
        .bind(request.id)
        .all<{ at: number; actor: string; action: string; detail: string | null }>();
      rows.push({
        ...request,
        audit: results.map((a) => ({
          ...a,
          at: new Date(a.at).toISOString(),
          detail: a.detail && JSON.parse(a.detail),
        })),
      });
    }
    return { rows, next: page.next };
  },
  // Requests and their trail are the record of having handled them (accountability): kept under the subject's
  // pseudonym, detached from the account, as invoices are. The other requests (an export, say) are detached
  // here, an open one closed and its manifest dropped (its files went with the exports holder); the running
  // deletion is detached when it completes, so a stalled one can still be resumed. Pending links are deleted.
  async erase(env, accountId) {
    const [links] = await env.DB.batch([
      env.DB.prepare("DELETE FROM privacy_tokens WHERE account_id = ?").bind(accountId),
      env.DB.prepare(
        `UPDATE privacy_requests SET account_id = NULL, export_manifest = NULL, updated_at = ?2,
           progress = CASE WHEN type = 'access' AND status = 'completed' THEN 'export deleted with the account'
                           WHEN status IN ('received', 'verifying', 'in_progress') THEN 'canceled: the account was deleted'
                           ELSE progress END,
           canceled_at = CASE WHEN status IN ('received', 'verifying', 'in_progress') THEN ?2 ELSE canceled_at END,
           status = CASE WHEN status IN ('received', 'verifying', 'in_progress') THEN 'canceled' ELSE status END
         WHERE account_id = ?1 AND NOT (type = 'deletion' AND status = 'in_progress')`,
      ).bind(accountId, Date.now()),
    ]);
    return { erased: links?.meta.changes ?? 0, next: null };
  },
  retains: (now) => [
    {
      what: "The record of your privacy requests (this deletion, any export) and their privacy trail (dates, steps, counts — no email, no content)",
      legalBasis: "GDPR Art. 5(2) and 17(3)(b): accountability for having handled the request",
      until: `${REQUEST_RECORDS_YEARS} years after completion`,
      untilDate: new Date(now.getTime() + REQUEST_RECORDS_YEARS * 365 * DAY_MS).toISOString().slice(0, 10),
    },
  ],
};

const exportFiles: DataHolder = {
  name: "exports",
  description: "Data exports you requested (encrypted files, deleted when they expire)",
  location: "R2 exports/<account>/",
  processing: (config) => ({
    purpose: "Data exports you asked for (GDPR Arts. 15 and 20)",
    legalBasis: "Legal obligation (GDPR Arts. 15 and 20): giving you your data",
    categories: ["a copy of everything the export lists"],
    recipients: [HOSTING],
    retention: `${durationText(EXPORT_TTL_MS)} after the export is ready, then deleted`,
    transfers: hostingTransfers(config),
  }),
  export: null,
  erase: (env, accountId, cursor) => erasePrefixes(env.CONTENT, [exportPrefix(accountId)], cursor),
};

/** Export order; outside data (R2) is erased before the rows that reference the account. */
export const holders: DataHolder[] = [
  profile,
  contentHolder,
  exportFiles,
  {
    ...requestLogHolder,
    processing: (config) => ({
      ...forTheAccount("Metering and billing each API request; your request log", [
        "model, token counts, cost, latency and status per request",
        "API key id",
      ])(config),
      retention: `${config.ai.usageRetentionDays} days, then deleted (hourly and daily totals stay, see below)`,
    }),
  },
  tableHolder({
    name: "usage_hourly",
    description: "Usage per hour, key and model: requests, errors, tokens, cost (never content)",
    table: "usage_hourly",
    columns: [
      "hour",
      "key",
      "model",
      "requests",
      "errors",
      "input_tokens",
      "output_tokens",
      "cached_input_tokens",
      "cache_write_tokens",
      "cost_micros",
      "estimated_requests",
    ],
    processing: (config) => ({
      ...forTheAccount("Usage charts and statements", [
        "requests, errors, tokens and cost per hour, key and model",
      ])(config),
      retention: `${config.ai.usageRetentionDays} days, then rolled into daily totals`,
    }),
  }),
  tableHolder({
    name: "usage_daily",
    description: "Usage per day, key and model, kept after hourly detail expires (never content)",
    table: "usage_daily",
    columns: [
      "day",
      "key",
      "model",
      "requests",
      "errors",
      "input_tokens",
      "output_tokens",
      "cached_input_tokens",
      "cache_write_tokens",
      "cost_micros",
      "estimated_requests",
    ],
    processing: forTheAccount("Usage history after hourly detail expires", [
      "requests, errors, tokens and cost per day, key and model",
    ]),
  }),
  tableHolder({
    name: "api_keys",
    description: "Your API keys: name, display prefix and dates (never the secret or its hash)",
    table: "api_keys",
    columns: ["id", "name", "prefix", "rate_limit_rpm", "created_at", "last_used_at", "revoked_at"],
    processing: forTheAccount("Authenticating your API requests", [
      "key name, display prefix and dates",
      "a hash of the key",
    ]),
  }),
  tableHolder({
    name: "provider_keys",
    description:
      "Your own provider keys: provider, display prefix, fallback choice and date (the key itself, sealed under your account's data key, is never exported)",
    table: "provider_keys",
    columns: ["provider", "prefix", "allow_platform_fallback", "created_at"],
    processing: forTheAccount("Sending your requests to a provider with your own key", [
      "provider name, key display prefix and date",
      "the key, encrypted with your account's data key",
    ]),
  }),
  tableHolder({
    name: "sessions",
    description: "Browser sessions: when they started, were last used and expire (never the session id)",
    table: "sessions",
    columns: ["created_at", "last_seen_at", "expires_at", "user_agent", "place"],
    processing: (config) => ({
      ...forTheAccount("Keeping you signed in, and showing you your sessions", [
        "session times",
        "browser user agent",
        "approximate place at sign-in (city and country, when Cloudflare gives one)",
        "a hash of the session id",
      ])(config),
      legalBasis: `${LEGAL_BASIS.contract}; ${LEGAL_BASIS.legitimate}`,
      retention: `Until you sign out or end it; it stops working after ${durationText(SESSION_IDLE_MS)} idle or ${durationText(SESSION_ABSOLUTE_MS)} after sign-in, and its record goes with the account`,
    }),
  }),
  tableHolder({
    name: "totp_factors",
    description:
      "Your authenticator app: when it was set up (the secret is encrypted under your data key, never exported)",
    table: "totp_factors",
    columns: ["created_at", "confirmed_at"],
    processing: forTheAccount("Your second factor: checking the codes of your authenticator app", [
      "the app's shared secret (encrypted)",
      "when it was set up and last used",
    ]),
  }),
  tableHolder({
    name: "passkeys",
    description: "Your passkeys: name, public key, when added and last used",
    table: "passkeys",
    columns: ["id", "name", "created_at", "last_used_at"],
    processing: forTheAccount("Your second factor: checking your passkeys", [
      "passkey name and public key",
      "when added and last used",
    ]),
  }),
  tableHolder({
    name: "recovery_codes",
    description:
      "Your recovery codes: when made and used (only hashes are stored; the codes are never exported)",
    table: "recovery_codes",
    columns: ["created_at", "used_at"],
    processing: forTheAccount("Recovering your account when your second factor is lost", [
      "hashes of the recovery codes",
      "when each was used",
    ]),
  }),
  tableHolder({
    name: "auth_challenges",
    description: "Logins waiting for their second factor and passkey challenges (five minutes each)",
    table: "auth_challenges",
    columns: null,
    processing: (config) => ({
      ...forTheAccount("Finishing a login with your second factor", ["a random challenge", "its expiry"])(
        config,
      ),
      retention: `${durationText(CHALLENGE_TTL_MS)}, then useless; its record goes with the account`,
    }),
  }),
  tableHolder({
    name: "settings",
    description: "Privacy settings: content logging, retention, training consent, notices",
    table: "privacy_settings",
    columns: ["content_logging", "retention_days", "training_consent", "notices", "updated_at"],
    processing: forTheAccount("Applying your privacy choices", [
      "content logging, retention, training consent and notice switches",
    ]),
  }),
  tableHolder({
    name: "consent_history",
    description: "Every change of a consent switch, with time, channel and policy version",
    table: "consent_events",
    columns: ["setting", "old_value", "new_value", "policy_version", "channel", "at"],
    processing: (config) => ({
      ...forTheAccount("Proving consent and objections (GDPR Art. 7(1))", [
        "each change of a consent switch: time, channel, policy version, the wording you saw",
      ])(config),
      legalBasis: "Legal obligation (GDPR Art. 7(1)): demonstrating consent",
    }),
  }),
  billingHolder,
  tableHolder({
    name: "dpa_acceptances",
    description: "Each acceptance of the data processing agreement: version, who accepted, when",
    table: "dpa_acceptances",
    columns: ["version", "accepted_by", "channel", "at"],
    processing: (config) => ({
      ...forTheAccount("Proving the data processing agreement you accepted (GDPR Art. 28(9))", [
        "DPA version, the accepting address, time",
      ])(config),
      legalBasis:
        "Contract and legal obligation (GDPR Art. 28(3) and (9)): the processing agreement in writing",
    }),
  }),
  tableHolder({
    name: "whatsapp_connection",
    description:
      "Your WhatsApp numbers and their settings (never the access token, app secret or verify token)",
    table: "whatsapp_connections",
    columns: [
      "phone_number_id",
      "waba_id",
      "model",
      "system_prompt",
      "non_text_messages",
      "created_at",
      "updated_at",
      "last_received_at",
      "last_reply_at",
      "last_error_at",
      "last_error",
      "fallback_template",
      "fallback_language",
      "fallback_parameters",
      "templates_synced_at",
      "templates_sync_error",
    ],
    processing: (config) => ({
      ...forTheAccount("Answering your WhatsApp customers", [
        "each number's phone number id and WhatsApp Business account id",
        "each number's model and system prompt",
        "access token and app secret, encrypted with your account's key",
      ])(config),
      recipients: [HOSTING, WHATSAPP],
      retention: "Until you disconnect WhatsApp or delete the account",
    }),
  }),
  tableHolder({
    name: "whatsapp_messages",
    description: "WhatsApp message metadata: ids, direction, type, status and times (no text, no numbers)",
    table: "whatsapp_messages",
    columns: [...MESSAGE_COLUMNS, "template"],
    processing: (config) => ({
      ...forTheAccount("Delivering WhatsApp replies once, in order, within Meta's 24-hour window", [
        "message ids, the business number, direction, type, status and times",
        "a keyed hash of the customer's number",
      ])(config),
      recipients: [HOSTING, WHATSAPP],
      retention: `${METADATA_RETENTION_DAYS} days, then deleted (also after the number is disconnected), or sooner when you erase that contact's data`,
    }),
  }),
  // Sealed in-flight replies and conversation context: your customers' words, never exported (P7).
  tableHolder({
    name: "whatsapp_pending",
    description: "",
    table: "whatsapp_pending",
    columns: null,
    processing: (config) => ({
      ...forTheAccount("Answering a WhatsApp message after a failure or restart", [
        "the customer's number, message text (or what a button, location or contact said), the id of an image, document or voice note to fetch from Meta, the customer's WhatsApp profile name, and our reply, encrypted with your account's key",
        "the id of the message the customer quoted",
      ])(config),
      recipients: [HOSTING, WHATSAPP],
      retention: `Until the message is answered, or at most ${durationText(WINDOW_MS)} (Meta's customer-service window), whether or not content logging is on`,
    }),
  }),
  tableHolder({
    name: "whatsapp_context",
    description: "",
    table: "whatsapp_context",
    columns: null,
    processing: (config) => ({
      ...forTheAccount("Earlier turns of a WhatsApp conversation, for better replies", [
        "message text and our replies, encrypted with your account's key",
      ])(config),
      recipients: [HOSTING],
      retention: `Only while content logging is on, until the conversation's ${durationText(WINDOW_MS)} window closes`,
    }),
  }),
  tableHolder({
    name: "whatsapp_contacts",
    description:
      "Which of your WhatsApp contacts opted out (STOP) or wait for a person (hand-off), per number (no numbers, no text)",
    table: "whatsapp_contacts",
    columns: CONTACT_STATE_COLUMNS,
    processing: (config) => ({
      ...forTheAccount("Honouring your customers' opt-outs and handing conversations to a person", [
        "a keyed hash of the customer's number, when they opted out or asked for a person",
        `while a person may reply (at most ${durationText(WINDOW_MS)} after their latest message), the customer's number, encrypted with your account's key`,
      ])(config),
      recipients: [HOSTING, WHATSAPP],
      retention:
        "Opt-outs until the account is deleted or you erase that contact's data (kept when the number is disconnected, so no one who said STOP is messaged again if it returns); hand-offs until a person resumes the assistant or the number is disconnected; the encrypted number until the window closes",
    }),
  }),
  tableHolder({
    name: "whatsapp_contact_erasures",
    description: "When you erased a WhatsApp contact's data (the contact's hash only encrypted; no number)",
    table: "whatsapp_contact_erasures",
    columns: ["id", "erased_at"],
    processing: (config) => ({
      ...forTheAccount("Proving that a WhatsApp contact's data was erased when you asked", [
        "the erasure's id and time",
        "the contact's keyed hash, encrypted with your account's key",
      ])(config),
      legalBasis: "Legal obligation (GDPR Art. 5(2)): accountability for an erasure",
      retention: `${ERASURE_NOTE_DAYS} days after the erasure, then deleted`,
    }),
  }),
  tableHolder({
    name: "whatsapp_templates",
    description:
      "Each WhatsApp number's message templates as Meta reported them: name, language, status, wording",
    table: "whatsapp_templates",
    columns: [
      "phone_number_id",
      "template_id",
      "name",
      "language",
      "status",
      "category",
      "body_template",
      "placeholders",
      "usable",
      "reason",
      "updated_at",
    ],
    processing: (config) => ({
      ...forTheAccount("Sending your chosen template when WhatsApp's 24-hour window has closed", [
        "your templates' names, languages, statuses and wording, as read from Meta",
      ])(config),
      recipients: [HOSTING, WHATSAPP],
      retention: "Until the number is disconnected or the account deleted; refreshed from Meta on each sync",
    }),
  }),
  tableHolder({
    name: "whatsapp_number_events",
    description:
      "What Meta told about your WhatsApp numbers: template status changes, quality updates, account alerts",
    table: "whatsapp_number_events",
    columns: ["phone_number_id", "field", "event", "summary", "at"],
    processing: (config) => ({
      ...forTheAccount("Telling you when Meta pauses a template or flags a number", [
        "Meta's event, its type and a short description, per number",
      ])(config),
      recipients: [HOSTING],
      retention: `${METADATA_RETENTION_DAYS} days, then deleted`,
    }),
  }),
  tableHolder({
    name: "notices",
    description: "Notices we sent you (export ready, deletion, email change, low balance)",
    table: "notices",
    columns: ["kind", "subject", "created_at"],
    processing: (config) => ({
      ...forTheAccount("Technical notices and a record of what we sent you", [
        "notice kind, subject and date",
      ])(config),
      legalBasis: `${LEGAL_BASIS.contract}; optional notices: ${LEGAL_BASIS.legitimate}`,
      recipients: [HOSTING, mailRecipient(config)],
    }),
  }),
  tableHolder({
    name: "notice_outbox",
    description: "Notices to you still waiting to be mailed (the mail service was unavailable)",
    table: "notice_outbox",
    columns: ["kind", "subject", "created_at", "attempts"],
    processing: (config) => ({
      ...forTheAccount("Delivering notices when the mail service was unavailable", [
        "recipient address, subject and text of the notice",
      ])(config),
      recipients: [HOSTING, mailRecipient(config)],
      retention: `Until delivered, then its id and time only, ${durationText(SENT_KEPT_MS)}`,
    }),
  }),
  privacyRequestsHolder,
];

/** Deletion order: everything else first; the account row (the tombstone) last. */
export const eraseOrder: DataHolder[] = [...holders.filter((h) => h !== profile), profile];
