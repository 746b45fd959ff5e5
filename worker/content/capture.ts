// Content logging seam for the AI proxy and WhatsApp: whether an account keeps content, and storing it.
// With logging off nothing is captured at all; with it on, content is encrypted before it is stored.

import type { DataPolicyName } from "../ai/data-policy/rules";
import { countFailure } from "../failure-counts";
import { log } from "../observability/log";
import { cachedLoggingPolicy, freshLoggingPolicy } from "./policy";
import { storeExchange } from "./store";

export type LoggingPolicy = {
  enabled: boolean;
  retentionDays: number;
  trainingConsent: boolean;
  /** Which providers may receive the account's requests: read with the rest of the settings, so the request
   * path has it from the same isolate cache (worker/ai/data-policy). */
  dataPolicy: DataPolicyName;
};

export type Exchange = {
  accountId: string;
  requestId: string;
  /** e.g. "chat.completions", "messages", "embeddings", "whatsapp" */
  source: string;
  model: string;
  /** The request body as the client sent it (JSON text). */
  request: string;
  /** The response body (JSON text, or the SSE text of a stream). */
  response: string;
  createdAt: Date;
  /** WhatsApp: the contact's keyed hash, written to the object's metadata (never the number). */
  contactHash?: string | undefined;
};

/** The account's logging choice; cheap to call per request (cached briefly in the isolate). */
export function loggingPolicy(
  env: Env,
  accountId: string,
  background?: (work: Promise<unknown>) => void,
): Promise<LoggingPolicy> {
  return cachedLoggingPolicy(env, accountId, background);
}

/**
 * Stores one exchange encrypted under the account's retention class. Call only when policy.enabled.
 * Never throws: a failure (R2 or the account object failing) is logged by its error name alone and
 * counted (`failure_counts.content_capture`), and the content is dropped, never kept in the clear.
 */
export async function captureExchange(env: Env, exchange: Exchange): Promise<void> {
  try {
    // Re-read past the cache: only logged requests pay for it, and "off" then holds the moment it is saved.
    const policy = await freshLoggingPolicy(env, exchange.accountId);
    if (!policy.enabled) return;
    await storeExchange(env, exchange, policy);
  } catch (error) {
    log.error("content capture failed", { error });
    await countFailure(env, "content_capture", error);
  }
}
