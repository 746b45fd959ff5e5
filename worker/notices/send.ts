// sendNotice: the one way any capability tells a person something. The notice goes through the outbox
// (worker/notices/outbox.ts): kept in D1 until the configured transport has delivered it, retried by the
// cron when the mail provider fails, sent once.
import { getConfig } from "../config";
import type { Notice } from "./notice";
import { enqueueNotice } from "./outbox";

export type { Notice } from "./notice";

/** Every notice ends with who to ask about privacy (policy: a contact in every notice). */
function withFooter(env: Env, text: string): string {
  const { appName, privacyContact } = getConfig(env);
  return `${text.trimEnd()}\n\n—\n${appName}. Questions about your data: ${privacyContact}`;
}

/**
 * Sends one notice: resolves once it is durably queued (and, usually, already delivered). Throws only when
 * it could not be queued, so callers that must retry can. A `key` makes a repeated call send it once.
 */
export async function sendNotice(env: Env, notice: Notice): Promise<void> {
  const { mail } = getConfig(env);
  const { key, ...rest } = notice;
  await enqueueNotice(env, {
    ...rest,
    text: withFooter(env, notice.text),
    from: mail.from,
    id: key ?? crypto.randomUUID(),
    createdAt: new Date(),
  });
}
