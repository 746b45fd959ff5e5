// Mail test helpers: an env that sends through the fake Resend API, what the fake accepted, the outbox.
import { env } from "cloudflare:workers";
import type { SentEmail } from "../../fakes/mail";
import { envWith } from "./faults";

/** The test env sending through the fake Resend API (a key set, still local mode for its http URL). */
export const resendEnv = (vars: Record<string, string> = {}) =>
  envWith({ MAIL_API_KEY: "re_test_key", ...vars } as Partial<Env>);

export async function emailsTo(to: string): Promise<SentEmail[]> {
  const res = await fetch(`${env.MAIL_API_URL}/__requests?to=${encodeURIComponent(to)}`);
  return ((await res.json()) as { data: SentEmail[] }).data;
}

export async function outboxOf(to: string) {
  const { results } = await env.DB.prepare('SELECT * FROM notice_outbox WHERE "to" = ?')
    .bind(to)
    .all<{ id: string; attempts: number; sent_at: number | null; last_error: string | null }>();
  return results;
}

/** Makes the fake Resend API fail the next `times` sends to `to` with `status`, or answer after `delayMs`. */
export async function scriptMail(to: string, script: { status?: number; delayMs?: number; times?: number }) {
  await fetch(`${env.MAIL_API_URL}/__script`, { method: "POST", body: JSON.stringify({ to, ...script }) });
}
