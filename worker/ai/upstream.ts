// Calling a provider: only its configured base URL, only the platform's credentials (or the customer's own), bounded retries with
// backoff (honouring Retry-After) before the first byte, all within one deadline.
import type { Config } from "../config";
import type { AppError } from "../errors";
import { connect, type Operation, type Provider } from "./providers/registry";
import {
  fromUpstreamStatus,
  retryAfterSeconds,
  upstreamTimeout,
  upstreamUnreachable,
} from "./upstream-errors";

/** Longest pause we take for one retry; a longer Retry-After is passed on to the client instead. */
const MAX_RETRY_WAIT_MS = 2_000;
const BACKOFF_BASE_MS = 100;

export type UpstreamResult =
  | { ok: true; response: Response; upstreamMs: number; signal: AbortSignal; disarm: () => void }
  | {
      ok: false;
      error: AppError /** The provider's own status, when it answered. */;
      upstreamStatus?: number;
    };

/** A request deadline shared by every attempt; the body of a streamed answer has its own idle timeout. */
export class Deadline {
  readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  readonly at: number;
  constructor(ms: number) {
    this.at = Date.now() + ms;
    this.timer = setTimeout(() => this.controller.abort(new DOMException("deadline", "TimeoutError")), ms);
  }
  get expired() {
    return this.controller.signal.aborted;
  }
  remaining() {
    return this.at - Date.now();
  }
  disarm() {
    clearTimeout(this.timer);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function send(
  config: Config,
  provider: Provider,
  operation: Operation,
  body: Record<string, unknown>,
  signal: AbortSignal,
  customerKey: string | undefined,
): Promise<Response> {
  if (provider.local) return provider.local(operation, body);
  const connection = connect(config, provider, customerKey);
  const routed = provider.route?.(operation, body) ?? { path: provider.paths[operation], body };
  // Headers are built from nothing: nothing of the client's request (key, IP, cookies, user agent) goes on.
  const url = `${connection.baseUrl}${routed.path}`;
  const init = {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: body.stream ? "text/event-stream" : "application/json",
      ...provider.headers(connection),
    },
    body: JSON.stringify(routed.body),
  };
  if (!provider.sign) return fetch(url, { ...init, signal });
  return receive(provider, await fetch(await provider.sign(url, init, connection), { signal }), body);
}

/** A streamed answer in a provider's own framing, as server-sent events for the stream translators. */
function receive(provider: Provider, response: Response, body: Record<string, unknown>): Response {
  if (!provider.decodeStream || !body.stream || !response.ok || !response.body) return response;
  return new Response(provider.decodeStream(response.body), {
    status: response.status,
    headers: { "content-type": "text/event-stream" },
  });
}

export async function callUpstream(
  config: Config,
  provider: Provider,
  operation: Operation,
  body: Record<string, unknown>,
  deadline: Deadline,
  /** The customer's own key for this provider (bring your own key); absent: the platform's. */
  customerKey?: string,
): Promise<UpstreamResult> {
  // Built only when needed: an Error captures a stack trace, which the hot path should not pay for.
  let lastError: AppError | undefined;
  for (let attempt = 0; attempt <= config.ai.maxRetries; attempt++) {
    const started = Date.now();
    let wait: number | undefined;
    try {
      const response = await send(config, provider, operation, body, deadline.controller.signal, customerKey);
      if (response.ok) {
        return {
          ok: true,
          response,
          upstreamMs: Date.now() - started,
          signal: deadline.controller.signal,
          disarm: () => deadline.disarm(),
        };
      }
      const text = await response.text();
      // A provider that refuses a bad key with another status (Gemini: 400 API_KEY_INVALID) means a 401.
      const status = provider.keyRefused?.(response.status, text) ? 401 : response.status;
      lastError = fromUpstreamStatus(status, response.headers, text);
      const after = retryAfterSeconds(response.headers);
      if (after !== undefined) wait = after * 1000;
      // Only throttling and server-side failures are worth repeating; the mapped status may differ (401 → 502).
      if (status !== 429 && status < 500) return { ok: false, error: lastError, upstreamStatus: status };
    } catch (error) {
      if (deadline.expired) return { ok: false, error: upstreamTimeout() };
      if (error instanceof Error && error.name === "AppError") throw error;
      lastError = upstreamUnreachable();
    }
    if (attempt === config.ai.maxRetries) break;
    const pause = wait ?? BACKOFF_BASE_MS * 2 ** attempt * (0.5 + Math.random());
    if (pause > MAX_RETRY_WAIT_MS || pause >= deadline.remaining()) break;
    await sleep(pause);
  }
  return { ok: false, error: lastError ?? upstreamUnreachable() };
}
