// The production transport: one JSON POST per notice to the configured mail API (MAIL_API_URL).
import type { NoticeTransport, OutgoingNotice } from "./notice";

const TIMEOUT_MS = 10_000;

export class MailApiError extends Error {
  constructor(readonly status: number) {
    super(`mail API answered ${status}`);
    this.name = "MailApiError";
  }
}

export function httpTransport(apiUrl: string, apiKey: string | undefined): NoticeTransport {
  return {
    async deliver(notice: OutgoingNotice) {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        // Lets the mail API drop a retried delivery of the same notice.
        "idempotency-key": notice.id,
      };
      if (apiKey) headers.authorization = `Bearer ${apiKey}`;
      const res = await fetch(apiUrl, {
        method: "POST",
        headers,
        body: JSON.stringify({
          from: notice.from,
          to: notice.to,
          subject: notice.subject,
          text: notice.text,
          tags: [notice.kind],
        }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!res.ok) throw new MailApiError(res.status);
    },
  };
}
