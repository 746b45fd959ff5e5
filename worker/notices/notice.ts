// What a notice is: a short plain-text message about the service, never the content a user submitted.

/** Every kind of notice the platform sends; a new kind is added here so the mailbox and tests know it. */
const NOTICE_KINDS = [
  "export_ready",
  "deletion_requested",
  "deletion_completed",
  "request_confirmation",
  "email_change",
  "email_verification",
  "email_change_notice",
  "password_reset",
  "low_balance",
  "operator_deadline",
  "operator_promise_broken",
  "operator_metrics_alert",
  "subprocessors_changed",
  "breach_notice",
  "objection_answered",
  "whatsapp_hand_off",
  "whatsapp_delivery_failed",
] as const;

type NoticeKind = (typeof NOTICE_KINDS)[number];

export type Notice = {
  to: string;
  kind: NoticeKind;
  subject: string;
  /** Plain text. Must never include prompts, responses, message bodies, keys or other secrets. */
  text: string;
  /** The account it concerns, so the account's export and deletion cover it. */
  accountId?: string | null;
  /**
   * For a notice whose sender may run more than once (a resumed job step): the same key is sent once.
   * Without it every call is a new notice.
   */
  key?: string;
};

/** A notice as handed to a transport: the footer with the privacy contact already appended. */
export type OutgoingNotice = Notice & { from: string; id: string; createdAt: Date };

/** One way of delivering notices (local dev mailbox, or Resend's API); throws when it did not deliver. */
export interface NoticeTransport {
  deliver(notice: OutgoingNotice): Promise<void>;
}
