// The Meta Graph API client: send one text message, and classify failures as worth retrying or not.
import type { Config } from "../config";
import { upstreamUrlProblem } from "../security/upstream-url";

/** WhatsApp's limit on a text message body. */
const MAX_TEXT_LENGTH = 4096;
const TIMEOUT_MS = 15_000;

/** Graph error codes that mean "later, not never": throttling and temporary service trouble. */
const RETRYABLE_CODES = new Set([1, 2, 4, 17, 80007, 130429, 131000, 131016, 133004]);
/** The customer-service window has closed: only templates may be sent now. */
const WINDOW_CLOSED_CODE = 131047;

export type SendResult =
  | { ok: true; messageId: string }
  | { ok: false; retryable: boolean; windowClosed: boolean; error: string };

type GraphError = { error?: { code?: number; error_subcode?: number; type?: string } };

function failure(status: number, body: GraphError): SendResult {
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
  let res: Response;
  try {
    res = await fetch(`${base}/${encodeURIComponent(input.phoneNumberId)}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${input.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: input.to,
        type: "text",
        text: { preview_url: false, body: input.text.slice(0, MAX_TEXT_LENGTH) },
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
