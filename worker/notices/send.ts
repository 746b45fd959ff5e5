// sendNotice: the one way any capability tells a person something, through the configured transport.
import { getConfig } from "../config";
import { getDb } from "../db";
import { httpTransport } from "./http";
import { localTransport } from "./local";
import type { Notice, NoticeTransport } from "./notice";

export type { Notice, NoticeKind } from "./notice";

export function noticeTransport(env: Env): NoticeTransport {
  const { mail } = getConfig(env);
  if (mail.transport === "http") {
    if (!mail.apiUrl) throw new Error("MAIL_TRANSPORT=http needs MAIL_API_URL");
    return httpTransport(mail.apiUrl, mail.apiKey);
  }
  return localTransport(getDb(env.DB));
}

/** Every notice ends with who to ask about privacy (policy: a contact in every notice). */
export function withFooter(env: Env, text: string): string {
  const { appName, privacyContact } = getConfig(env);
  return `${text.trimEnd()}\n\n—\n${appName}. Questions about your data: ${privacyContact}`;
}

/** Sends one notice; throws when the transport fails, so callers that must retry can. */
export async function sendNotice(env: Env, notice: Notice): Promise<void> {
  const { mail } = getConfig(env);
  await noticeTransport(env).deliver({
    ...notice,
    text: withFooter(env, notice.text),
    from: mail.from,
    id: crypto.randomUUID(),
    createdAt: new Date(),
  });
}
