// The Meta Graph API client: send one text message, mark a message read (with the typing indicator), and
// classify failures as worth retrying or not.
import type { Config } from "../config";
import { upstreamUrlProblem } from "../security/upstream-url";
import { MAX_TEXT_LENGTH } from "./split";

/** How long any Graph call may take. */
export const TIMEOUT_MS = 15_000;

/** Graph error codes that mean "later, not never": throttling and temporary service trouble. */
const RETRYABLE_CODES = new Set([1, 2, 4, 17, 80007, 130429, 131000, 131016, 131056, 133004]);
/**
 * Meta's documented pacing for its two throttling errors, the first wait before a retry (doubled per attempt):
 * 131056, the pair rate limit — one message every 6 seconds from a business number to the same user; 130429,
 * throughput — the number's messages per second, so a second later.
 */
const RETRY_AFTER_MS: Record<number, number> = { 131056: 6_000, 130429: 1_000 };
/** Which of Meta's limits a throttling error reports: the pacer holds back that contact, or the whole number. */
const LIMIT_OF: Record<number, "pair" | "number"> = { 131056: "pair", 130429: "number" };
/** The customer-service window has closed: only templates may be sent now. */
const WINDOW_CLOSED_CODE = 131047;

export type SendResult =
  | { ok: true; messageId: string }
  | {
      ok: false;
      retryable: boolean;
      windowClosed: boolean;
      error: string;
      retryAfterMs?: number;
      limit?: "pair" | "number";
    };

export type GraphError = { error?: { code?: number; error_subcode?: number; type?: string } };

export function failure(status: number, body: GraphError): SendResult {
  const code = body.error?.code;
  const retryable = status === 429 || status >= 500 || (code !== undefined && RETRYABLE_CODES.has(code));
  // Meta's messages can quote what was sent; keep only numbers and the error type.
  const detail = [code !== undefined ? `code ${code}` : null, body.error?.type ?? null]
    .filter(Boolean)
    .join(", ");
  return {
    ok: false,
    retryable,
    windowClosed: code === WINDOW_CLOSED_CODE,
    error: `graph_error: HTTP ${status}${detail ? ` (${detail})` : ""}`,
    ...(code !== undefined && RETRY_AFTER_MS[code] ? { retryAfterMs: RETRY_AFTER_MS[code] } : {}),
    ...(code !== undefined && LIMIT_OF[code] ? { limit: LIMIT_OF[code] } : {}),
  };
}

/** Sends `text` to `to` from the business number; never throws for network or API failures. */
export async function sendText(
  config: Config,
  input: { phoneNumberId: string; accessToken: string; to: string; text: string },
): Promise<SendResult> {
  const base = config.whatsapp.graphBaseUrl;
  if (upstreamUrlProblem(config.localMode, "WHATSAPP_GRAPH_BASE_URL", base)) {
    return {
      ok: false,
      retryable: false,
      windowClosed: false,
      error:
        "graph_error: WHATSAPP_GRAPH_BASE_URL refused (https only; plain http only on loopback in local mode)",
    };
  }
  return postMessage(base, input, {
    type: "text",
    text: { preview_url: false, body: input.text.slice(0, MAX_TEXT_LENGTH) }, // split.ts keeps it within
  });
}

/**
 * Posts one message to the contact (`POST /{phone-number-id}/messages`, the payload's `type` and its part) and
 * reads Meta's answer: the message id, or the failure classified; never throws.
 */
export async function postMessage(
  base: string,
  input: { phoneNumberId: string; accessToken: string; to: string },
  message: { type: string } & Record<string, unknown>,
): Promise<SendResult> {
  let res: Response;
  try {
    res = await fetch(`${base}/${encodeURIComponent(input.phoneNumberId)}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${input.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: input.to,
        ...message,
      }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : "error";
    return { ok: false, retryable: true, windowClosed: false, error: `graph_unreachable: ${name}` };
  }
  const body = (await res.json().catch(() => ({}))) as GraphError & { messages?: { id?: string }[] };
  const messageId = body.messages?.[0]?.id;
  if (res.ok && typeof messageId === "string") return { ok: true, messageId };
  return failure(res.status, body);
}

/**
 * Marks an inbound message read (two blue ticks, and every earlier one) and shows the typing indicator until
 * the reply is sent or 25 s pass, as Meta documents it (POST /messages with status "read"). Best effort: a
 * failure only means no ticks yet, never a reason not to answer.
 */
export async function markRead(
  config: Config,
  input: { phoneNumberId: string; accessToken: string; messageId: string },
): Promise<boolean> {
  const base = config.whatsapp.graphBaseUrl;
  if (upstreamUrlProblem(config.localMode, "WHATSAPP_GRAPH_BASE_URL", base)) return false;
  try {
    const res = await fetch(`${base}/${encodeURIComponent(input.phoneNumberId)}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${input.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        messaging_product: "whatsapp",
        status: "read",
        message_id: input.messageId,
        typing_indicator: { type: "text" },
      }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Proof of control before a number is connected: the Graph API, asked with the supplied access token for
 * that phone number id (GET /<phone_number_id>), must answer with that id. Any failure (wrong token, a
 * number the token cannot see, Meta unreachable) is simply "not proven".
 */
export async function tokenControlsNumber(
  config: Config,
  input: { phoneNumberId: string; accessToken: string },
): Promise<boolean> {
  const base = config.whatsapp.graphBaseUrl;
  if (upstreamUrlProblem(config.localMode, "WHATSAPP_GRAPH_BASE_URL", base)) return false;
  try {
    const res = await fetch(`${base}/${encodeURIComponent(input.phoneNumberId)}?fields=id`, {
      headers: { authorization: `Bearer ${input.accessToken}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) {
      await res.body?.cancel();
      return false;
    }
    const body = (await res.json().catch(() => ({}))) as { id?: unknown };
    return body.id === input.phoneNumberId;
  } catch {
    return false;
  }
}

/** Media larger than this is not downloaded (WhatsApp's own caps: images 5 MB, audio 16 MB). */
const MAX_MEDIA_BYTES = 16 * 1024 * 1024;

export type MediaResult =
  | { ok: true; bytes: Uint8Array; mimeType: string }
  | { ok: false; retryable: boolean; error: string };

/**
 * Downloads an inbound image, document or voice note the way Meta documents it: `GET /{media-id}` answers a
 * short-lived URL, which is fetched with the same access token. The bytes stay in memory; nothing is stored.
 */
export async function fetchMedia(
  config: Config,
  input: { mediaId: string; accessToken: string },
): Promise<MediaResult> {
  const base = config.whatsapp.graphBaseUrl;
  const refused = (error: string) => ({ ok: false as const, retryable: false, error });
  if (upstreamUrlProblem(config.localMode, "WHATSAPP_GRAPH_BASE_URL", base))
    return refused("media_error: WHATSAPP_GRAPH_BASE_URL refused");
  const headers = { authorization: `Bearer ${input.accessToken}` };
  try {
    const meta = await fetch(`${base}/${encodeURIComponent(input.mediaId)}`, {
      headers,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const info = (await meta.json().catch(() => ({}))) as GraphError & {
      url?: unknown;
      mime_type?: unknown;
      file_size?: unknown;
    };
    if (!meta.ok || typeof info.url !== "string") {
      const failed = failure(meta.status, info) as Extract<SendResult, { ok: false }>;
      return { ok: false, retryable: failed.retryable, error: `media_${failed.error}` };
    }
    // The URL comes from Meta's answer: only https (or the local fake) is followed, never anything else.
    if (upstreamUrlProblem(config.localMode, "media URL", info.url))
      return refused("media_error: URL refused");
    if (typeof info.file_size === "number" && info.file_size > MAX_MEDIA_BYTES)
      return refused("media_error: too large");
    const file = await fetch(info.url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!file.ok) {
      await file.body?.cancel();
      return {
        ok: false,
        retryable: file.status === 429 || file.status >= 500,
        error: `media_error: HTTP ${file.status}`,
      };
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (bytes.byteLength > MAX_MEDIA_BYTES) return refused("media_error: too large");
    const mimeType =
      typeof info.mime_type === "string" ? info.mime_type : (file.headers.get("content-type") ?? "");
    return { ok: true, bytes, mimeType };
  } catch (error) {
    const name = error instanceof Error ? error.name : "error";
    return { ok: false, retryable: true, error: `media_unreachable: ${name}` };
  }
}
