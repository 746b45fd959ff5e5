// WhatsApp test helpers: connect an account, build and sign Cloud API notifications, deliver them through the
// Worker's real fetch handler (waiting for its waitUntil work), run the cron, and read the fake Graph API.
import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "#worker/index";
import { QUIET_MS } from "#worker/whatsapp/burst";
import { numberObject } from "#worker/whatsapp/number-object/stub";
import { signBody } from "#worker/whatsapp/signature";
import { call, cookieFrom, ORIGIN, PASSWORD, uniqueEmail, verifyEmail } from "./helpers";

export const MODEL = "dev/echo";

let seq = 0;
/** `n` random digits, the first never 0. */
export const digits = (n: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => String(b % 10))
    .join("")
    .replace(/^0/, "1");

/** A fresh customer number (E.164 digits without +). */
export const customerNumber = () => `1555${digits(7)}`;
export const wamid = () => `wamid.test-${Date.now()}-${++seq}-${digits(6)}`;

/**
 * A new account with a verified address (connecting a number needs one); each from its own client address so
 * the signup throttle never trips in a long file.
 */
export async function newUser(): Promise<{ cookie: string; id: string; email: string }> {
  const email = uniqueEmail("wa");
  const res = await call("/api/auth/signup", {
    body: { email, password: PASSWORD },
    headers: { "cf-connecting-ip": `198.51.100.${Math.floor(Math.random() * 250)}-${wamid()}` },
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  const { account } = (await res.json()) as { account: { id: string } };
  const cookie = cookieFrom(res);
  await verifyEmail(email, cookie);
  return { cookie, id: account.id, email };
}

export type Connected = {
  cookie: string;
  email: string;
  accountId: string;
  phoneNumberId: string;
  appSecret: string;
  accessToken: string;
  verifyToken: string;
};

/** A new account with a connected number (all secrets random). */
export async function connectedUser(overrides: Record<string, unknown> = {}): Promise<Connected> {
  const user = await newUser();
  const input = {
    phoneNumberId: digits(15),
    wabaId: digits(15),
    accessToken: `EAAG${digits(40)}`,
    appSecret: digits(32),
    verifyToken: `verify-${digits(20)}`,
    model: MODEL,
    systemPrompt: "You are the helpful assistant of a bakery.",
    password: PASSWORD, // connecting is a sensitive change (sudo mode)
    ...overrides,
  };
  const res = await call("/api/whatsapp", { method: "PUT", body: input, cookie: user.cookie });
  if (res.status !== 200) throw new Error(`connect failed: ${res.status} ${await res.text()}`);
  return {
    cookie: user.cookie,
    email: user.email,
    accountId: user.id,
    phoneNumberId: input.phoneNumberId as string,
    appSecret: input.appSecret as string,
    accessToken: input.accessToken as string,
    verifyToken: input.verifyToken as string,
  };
}

type Inbound = { from: string; id?: string; body?: string; type?: string; timestamp?: number };

export function inboundMessage(m: Inbound) {
  const type = m.type ?? "text";
  return {
    from: m.from,
    id: m.id ?? wamid(),
    timestamp: String(Math.floor((m.timestamp ?? Date.now()) / 1000)),
    type,
    ...(type === "text" ? { text: { body: m.body ?? "Do you have croissants today?" } } : {}),
    ...(type === "image" ? { image: { id: digits(10), mime_type: "image/jpeg", sha256: "x" } } : {}),
    ...(type === "reaction" ? { reaction: { message_id: "wamid.x", emoji: "👍" } } : {}),
  };
}

/** A notification envelope as the Cloud API sends it. */
export function notification(
  phoneNumberId: string,
  value: { messages?: unknown[]; statuses?: unknown[]; contacts?: unknown[] },
) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550001111", phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

export function statusUpdate(
  id: string,
  status: string,
  recipient: string,
  extra: Record<string, unknown> = {},
) {
  return { id, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: recipient, ...extra };
}

/** The business numbers a notification names (none if it is not one). */
function numbersIn(raw: string): string[] {
  try {
    const parsed = JSON.parse(raw) as {
      entry?: { changes?: { value?: { metadata?: { phone_number_id?: string } } }[] }[];
    };
    const ids = (parsed.entry ?? []).flatMap((e) =>
      (e.changes ?? []).map((c) => c.value?.metadata?.phone_number_id),
    );
    return [...new Set(ids.filter((id): id is string => typeof id === "string"))];
  } catch {
    return [];
  }
}

/**
 * Lets the contacts' quiet period pass without moving the clock forward (replies keep real times): what each
 * number's object holds is made to have arrived QUIET_MS earlier, then it answers what is due now.
 */
export async function quietPeriodPasses(phoneNumberIds: string[]): Promise<void> {
  for (const id of phoneNumberIds) {
    const number = numberObject(env, id);
    await runInDurableObject(number, (_, state) => {
      state.storage.sql.exec("UPDATE answer_queue SET arrived_at = arrived_at - ?", QUIET_MS);
    });
    await number.run(Date.now());
  }
}

/**
 * POSTs raw text to the webhook through the Worker's fetch handler, waits for its background work (the hand-in
 * to the number's object), then lets the quiet period pass so what it recorded is answered.
 */
export async function deliver(raw: string, signature: string | null): Promise<Response> {
  const res = await receive(raw, signature);
  await quietPeriodPasses(numbersIn(raw));
  return res;
}

/** POSTs raw text to the webhook and waits for its background work only: nothing is answered yet. */
async function receive(raw: string, signature: string | null): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${ORIGIN}/webhooks/whatsapp`, { method: "POST", headers, body: raw }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

export async function signed(appSecret: string, raw: string): Promise<string> {
  return `sha256=${await signBody(appSecret, raw)}`;
}

/** Signs and delivers a notification object. */
export async function deliverSigned(appSecret: string, payload: unknown): Promise<Response> {
  const raw = JSON.stringify(payload);
  return deliver(raw, await signed(appSecret, raw));
}

/** The customer at `from` texts `body` to the user's number (a signed notification); returns the message. */
export async function say(user: { appSecret: string; phoneNumberId: string }, from: string, body: string) {
  const m = inboundMessage({ from, body });
  await deliverSigned(user.appSecret, notification(user.phoneNumberId, { messages: [m] }));
  return m;
}

/** Runs the cron handler at `at` (defaults to now) and waits for it. */
export async function runCron(at = Date.now()): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: at }), env, ctx);
  await waitOnExecutionContext(ctx);
}

/** The Graph fake's origin (its test-only routes: sent messages, reads, media, scripted failures). */
export const graphOrigin = () => new URL(env.WHATSAPP_GRAPH_BASE_URL).origin;

export type Sent = { id: string; to: string; text: string; authorization: string; phoneNumberId: string };

/** What the fake Graph API received from this number. */
export async function sentFrom(phoneNumberId: string): Promise<Sent[]> {
  const res = await fetch(`${graphOrigin()}/__messages?phone_number_id=${phoneNumberId}`);
  return ((await res.json()) as { data: Sent[] }).data;
}

/** Tells the fake Graph API that only `accessToken` controls this number from now on. */
export async function ownNumber(phoneNumberId: string, accessToken: string): Promise<void> {
  await fetch(`${graphOrigin()}/__owner`, {
    method: "POST",
    body: JSON.stringify({ phoneNumberId, accessToken }),
  });
}

/** Makes the next `times` sends from this number fail with `status` (and Graph error `code`). */
export async function scriptGraph(phoneNumberId: string, status: number, times = 1, code = 131000) {
  await fetch(`${graphOrigin()}/__script`, {
    method: "POST",
    body: JSON.stringify({ phoneNumberId, status, times, code }),
  });
}

export type MessageRow = {
  id: string;
  direction: string;
  status: string;
  type: string;
  contact_hash: string;
  error: string | null;
  related_id: string | null;
  attempts: number;
  next_attempt_at: number | null;
};

export async function messageRows(accountId: string): Promise<MessageRow[]> {
  const { results } = await env.DB.prepare(
    "SELECT * FROM whatsapp_messages WHERE account_id = ? ORDER BY created_at, direction",
  )
    .bind(accountId)
    .all<MessageRow>();
  return results;
}

export async function messageRow(accountId: string, id: string): Promise<MessageRow | null> {
  return env.DB.prepare("SELECT * FROM whatsapp_messages WHERE account_id = ? AND id = ?")
    .bind(accountId, id)
    .first<MessageRow>();
}
