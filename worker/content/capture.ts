// Content logging seam for the AI proxy and WhatsApp: whether an account keeps content, and storing it.
// (Interface fixed; the retention capability implements it. With logging off nothing is captured at all.)

export type LoggingPolicy = { enabled: boolean; retentionDays: number; trainingConsent: boolean };

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
};

/** The account's logging choice; cheap to call per request (cached briefly in the isolate). */
export async function loggingPolicy(_env: Env, _accountId: string): Promise<LoggingPolicy> {
  return { enabled: false, retentionDays: 30, trainingConsent: false };
}

/** Stores one exchange encrypted under the account's retention class. Call only when policy.enabled. */
export async function captureExchange(_env: Env, _exchange: Exchange): Promise<void> {}
