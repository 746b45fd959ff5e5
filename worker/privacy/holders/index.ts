// The registry of data holders: everything the platform keeps about an account, in erase order.
// A capability that stores something new about an account adds its holder here; the export, the
// deletion and the completeness test (every table with an account_id must be covered) all follow.
import { EXPORTS_PREFIX } from "../../content/layout";
import { DAY_MS } from "../../time";
import { billingHolder } from "./billing";
import { contentHolder } from "./content";
import type { DataHolder } from "./holder";
import { erasePrefixes } from "./r2-prefix";
import { exportTablePage, tableHolder } from "./table";

export const exportPrefix = (accountId: string) => `${EXPORTS_PREFIX}${accountId}/`;

const profile: DataHolder = {
  ...tableHolder({
    name: "profile",
    description: "Your account: email address, name, status and dates (never the password hash)",
    table: "accounts",
    accountColumn: "id",
    columns: ["id", "email", "email_verified_at", "name", "status", "created_at", "updated_at"],
  }),
  // The account row goes last: it carries the tombstone. Throttles named by the account go with it (login
  // pairs are named by a hash of email and client address only, and are forgotten within hours).
  async erase(env, accountId) {
    const row = await env.DB.prepare("SELECT email FROM accounts WHERE id = ?")
      .bind(accountId)
      .first<{ email: string }>();
    const statements = [
      env.DB.prepare("DELETE FROM auth_throttles WHERE bucket LIKE ?").bind(`pwcheck:${accountId}|%`),
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
      until: "three years after completion",
      untilDate: new Date(now.getTime() + 3 * 365 * DAY_MS).toISOString().slice(0, 10),
    },
  ],
};

const exportFiles: DataHolder = {
  name: "exports",
  description: "Data exports you requested (encrypted files, deleted when they expire)",
  location: "R2 exports/<account>/",
  export: null,
  erase: (env, accountId, cursor) => erasePrefixes(env.CONTENT, [exportPrefix(accountId)], cursor),
};

/** Export order; outside data (R2) is erased before the rows that reference the account. */
export const holders: DataHolder[] = [
  profile,
  contentHolder,
  exportFiles,
  tableHolder({
    name: "usage",
    description: "One row per API request: model, tokens, cost, latency, status (never content)",
    table: "usage_events",
    columns: [
      "id",
      "key_id",
      "source",
      "endpoint",
      "model",
      "provider",
      "input_tokens",
      "output_tokens",
      "cost_micros",
      "latency_ms",
      "status",
      "streamed",
      "estimated",
      "created_at",
    ],
  }),
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
      "cost_micros",
      "estimated_requests",
    ],
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
      "cost_micros",
      "estimated_requests",
    ],
  }),
  tableHolder({
    name: "api_keys",
    description: "Your API keys: name, display prefix and dates (never the secret or its hash)",
    table: "api_keys",
    columns: ["id", "name", "prefix", "rate_limit_rpm", "created_at", "last_used_at", "revoked_at"],
  }),
  tableHolder({
    name: "sessions",
    description: "Browser sessions: when they started, were last used and expire (never the session id)",
    table: "sessions",
    columns: ["created_at", "last_seen_at", "expires_at"],
  }),
  tableHolder({
    name: "settings",
    description: "Privacy settings: content logging, retention, training consent, notices",
    table: "privacy_settings",
    columns: ["content_logging", "retention_days", "training_consent", "notices", "updated_at"],
  }),
  tableHolder({
    name: "consent_history",
    description: "Every change of a consent switch, with time, channel and policy version",
    table: "consent_events",
    columns: ["setting", "old_value", "new_value", "policy_version", "channel", "at"],
  }),
  billingHolder,
  tableHolder({
    name: "whatsapp_connection",
    description: "Your WhatsApp connection (never the access token, app secret or verify token)",
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
    ],
  }),
  tableHolder({
    name: "whatsapp_messages",
    description: "WhatsApp message metadata: ids, direction, type, status and times (no text, no numbers)",
    table: "whatsapp_messages",
    columns: [
      "id",
      "direction",
      "type",
      "status",
      "sent_at",
      "created_at",
      "updated_at",
      "related_id",
      "error",
    ],
  }),
  // Sealed in-flight replies and conversation context: your customers' words, never exported (P7).
  tableHolder({ name: "whatsapp_pending", description: "", table: "whatsapp_pending", columns: null }),
  tableHolder({ name: "whatsapp_context", description: "", table: "whatsapp_context", columns: null }),
  tableHolder({
    name: "notices",
    description: "Notices we sent you (export ready, deletion, email change, low balance)",
    table: "notices",
    columns: ["kind", "subject", "created_at"],
  }),
  tableHolder({
    name: "notice_outbox",
    description: "Notices to you still waiting to be mailed (the mail service was unavailable)",
    table: "notice_outbox",
    columns: ["kind", "subject", "created_at", "attempts"],
  }),
  privacyRequestsHolder,
];

/** Deletion order: everything else first; the account row (the tombstone) last. */
export const eraseOrder: DataHolder[] = [...holders.filter((h) => h !== profile), profile];
