// The optional hand-off webhook: a business may have hand-offs POSTed to its own URL, signed so it can tell
// them from forgeries. Signature: hex HMAC-SHA256, under the secret shown once when the URL was set, over
// `<timestamp>.<raw body>`; sent as `X-Webhook-Signature: sha256=<hex>` with `X-Webhook-Timestamp: <unix s>`.
import type { Config } from "../config";
import { randomToken, toHex } from "../crypto/encoding";
import { upstreamUrlProblem } from "../security/upstream-url";

const TIMEOUT_MS = 10_000;
const SIGNATURE_HEADER = "x-webhook-signature";
const TIMESTAMP_HEADER = "x-webhook-timestamp";

/** A fresh signing secret (shown to the business once, then kept sealed). */
export const newWebhookSecret = () => `whsec_${randomToken(32)}`;

/** Why this URL cannot receive hand-offs (https only; loopback http in local mode), or undefined. */
export const webhookUrlProblem = (config: Config, url: string) =>
  upstreamUrlProblem(config.localMode, "The hand-off webhook URL", url);

/** `sha256=<hex>` over `<timestamp>.<body>`. */
export async function signWebhook(secret: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${timestamp}.${body}`));
  return `sha256=${toHex(mac)}`;
}

/** One signed POST; null when the receiver took it (2xx), otherwise a short reason (never content). */
export async function postWebhook(
  config: Config,
  input: { url: string; secret: string; payload: unknown; now: number },
): Promise<string | null> {
  const problem = webhookUrlProblem(config, input.url);
  if (problem) return "hand_off_webhook_failed: URL refused";
  const body = JSON.stringify(input.payload);
  const timestamp = Math.floor(input.now / 1000);
  try {
    const res = await fetch(input.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: await signWebhook(input.secret, timestamp, body),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.body?.cancel();
    return res.ok ? null : `hand_off_webhook_failed: HTTP ${res.status}`;
  } catch (error) {
    return `hand_off_webhook_failed: ${error instanceof Error ? error.name : "error"}`;
  }
}
