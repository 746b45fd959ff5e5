// The production transport: Resend's email API (POST /emails, Bearer key, JSON body), one request per
// notice with the notice id as Idempotency-Key, so a retried delivery of the same notice is sent once.
import { upstreamUrlProblem } from "../security/upstream-url";
import type { NoticeTransport, OutgoingNotice } from "./notice";

/** The provider refused or failed a delivery: its status (0: it could not be reached in time). */
class MailDeliveryError extends Error {
  constructor(readonly status: number) {
    super(status ? `mail API answered ${status}` : "mail API unreachable");
    this.name = "MailDeliveryError";
  }
}

/**
 * The endpoint under the one upstream-URL rule (https; plain http only on loopback in local mode).
 * @internal
 */
export function mailApiUrl(base: string, localMode: boolean): string {
  const problem = upstreamUrlProblem(localMode, "MAIL_API_URL", base);
  if (problem) throw new Error(problem);
  const url = new URL(base);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}/emails`;
}

export function resendTransport(options: {
  apiUrl: string;
  apiKey: string | undefined;
  timeoutMs: number;
  localMode: boolean;
}): NoticeTransport {
  return {
    async deliver(notice: OutgoingNotice) {
      if (!options.apiKey) throw new Error("MAIL_API_KEY is not set");
      const endpoint = mailApiUrl(options.apiUrl, options.localMode);
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: "POST",
          headers: {
            authorization: `Bearer ${options.apiKey}`,
            "content-type": "application/json",
            // Resend sends a key's email once within 24 h; a retry gets the first answer back.
            "idempotency-key": notice.id,
          },
          body: JSON.stringify({
            from: notice.from,
            to: [notice.to],
            subject: notice.subject,
            text: notice.text,
            tags: [{ name: "kind", value: notice.kind }],
          }),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch {
        // Timed out or unreachable: whether it was sent is unknown; the retry's idempotency key decides.
        throw new MailDeliveryError(0);
      }
      await res.body?.cancel();
      if (!res.ok) throw new MailDeliveryError(res.status);
    },
  };
}
