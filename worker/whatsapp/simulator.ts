// Local development only: a customer message signed with the account's own app secret and fed through the same
// path as Meta's webhook, answered before returning, so the dashboard can show a conversation against the fake
// Graph API. Refused unless in local mode with the Graph base URL on loopback (the fake), so it can never message
// real people.
import type { Config } from "../config";
import type { Db } from "../env";
import { forbidden, notFound } from "../errors";
import { isLoopback } from "../security/upstream-url";
import { QUIET_MS } from "./burst";
import { findConnection, openAppSecret } from "./connection";
import { acceptNotification } from "./inbox";
import { handIn } from "./number-object/hand-in";
import { sampleNotification } from "./sample";
import { signBody } from "./signature";

/** True when replies go to a local fake, never to Meta. */
export function simulatorEnabled(config: Config): boolean {
  return config.localMode && isLoopback(new URL(config.whatsapp.graphBaseUrl));
}

export type SentByFake = { id: string; to: string; text: string; at: string };

/** Simulates one customer message and answers it now; returns the fake Graph API's record of the reply. */
export async function simulateMessage(
  env: Env,
  db: Db,
  config: Config,
  accountId: string,
  input: { from: string; text: string; phoneNumberId?: string },
): Promise<{ messageId: string; reply: SentByFake | null }> {
  if (!simulatorEnabled(config)) throw forbidden("The simulator only runs against the local fake Graph API.");
  const connection = await findConnection(db, accountId, input.phoneNumberId);
  if (!connection) throw notFound("WhatsApp connection");
  const messageId = `wamid.sim-${crypto.randomUUID()}`;
  const raw = new TextEncoder().encode(
    JSON.stringify(
      sampleNotification(connection.phoneNumberId, input.from, input.text, messageId, new Date()),
    ),
  );
  const signature = `sha256=${await signBody(await openAppSecret(env, connection), raw)}`;
  const now = Date.now();
  const { refs } = await acceptNotification(env, db, raw, signature, now);
  // Answered before returning: the number's object runs as if the quiet period had already passed.
  await handIn(env, refs, now, now + QUIET_MS);
  const sent = await sentByFake(config, connection.phoneNumberId);
  return { messageId, reply: sent.findLast((m) => m.to === input.from) ?? null };
}

/** What the fake Graph API recorded for this number (its control API; only reachable in local development). */
export async function sentByFake(config: Config, phoneNumberId: string): Promise<SentByFake[]> {
  if (!simulatorEnabled(config)) return [];
  const origin = new URL(config.whatsapp.graphBaseUrl).origin;
  try {
    const res = await fetch(`${origin}/__messages?phone_number_id=${encodeURIComponent(phoneNumberId)}`);
    if (!res.ok) return [];
    return ((await res.json()) as { data: SentByFake[] }).data;
  } catch {
    return [];
  }
}
