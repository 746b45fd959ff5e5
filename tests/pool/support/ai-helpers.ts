// Helpers for the AI proxy tests: script the fake providers, read what they received, and wait for usage rows.
import { env, exports } from "cloudflare:workers";
import type { LoggedRow } from "#worker/request-log/query";
import type { Recorded, Script } from "../../fakes/provider-script";
import { ORIGIN } from "./helpers";

export const openaiFake = () => env.OPENAI_BASE_URL.replace(/\/v1$/, "");
export const anthropicFake = () => env.ANTHROPIC_BASE_URL;

/** A marker unique to one test, put in a message so the fake applies the script to that request only. */
export const marker = (tag = "m") => `${tag}-${crypto.randomUUID()}`;

export async function script(fakeUrl: string, s: Script): Promise<void> {
  const res = await fetch(`${fakeUrl}/__script`, { method: "POST", body: JSON.stringify(s) });
  if (res.status !== 204) throw new Error(`script failed: ${res.status}`);
}

export async function received(fakeUrl: string, match: string): Promise<Recorded[]> {
  return (await (
    await fetch(`${fakeUrl}/__requests?match=${encodeURIComponent(match)}`)
  ).json()) as Recorded[];
}

/** The worker's fetch, for the official SDKs' `fetch` option. */
export const workerFetch = (input: RequestInfo | URL, init?: RequestInit) =>
  exports.default.fetch(new Request(input, init));

export const v1 = `${ORIGIN}/v1`;

export type UsageRowView = {
  id: string;
  account_id: string;
  key_id: string | null;
  requested_model: string | null;
  created_at: number;
  source: string;
  endpoint: string;
  model: string;
  provider: string;
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
  latency_ms: number;
  status: number;
  streamed: number;
  estimated: number;
};

/** The request log's row in the column names the usage rows had in D1. */
function view(accountId: string, r: LoggedRow): UsageRowView {
  return {
    id: r.id,
    account_id: accountId,
    key_id: r.keyId,
    source: r.source,
    endpoint: r.endpoint,
    model: r.model,
    requested_model: r.requestedModel,
    provider: r.provider,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cost_micros: r.costMicros,
    latency_ms: r.latencyMs,
    status: r.status,
    streamed: r.streamed ? 1 : 0,
    estimated: r.estimated ? 1 : 0,
    created_at: r.createdAt,
  };
}

/** Every row of the account's request log (its object's window and sealed segments), oldest first. */
export async function requestLogRows(accountId: string): Promise<UsageRowView[]> {
  const rows = await env.ACCOUNT.getByName(accountId).requestLogPage(
    accountId,
    { from: 0, to: Number.MAX_SAFE_INTEGER },
    1_000_000,
  );
  return rows.reverse().map((r) => view(accountId, r));
}

/** The account's usage rows once `count` have arrived (rows are written after the response, then flushed). */
export async function usageRows(
  accountId: string,
  count: number,
  timeoutMs = 5_000,
): Promise<UsageRowView[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const results = await requestLogRows(accountId);
    if (results.length >= count || Date.now() > until) return results;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export type AnthropicErrorView = { type: string; message: string; code?: string; param?: string };

/** Asserts Anthropic's error shape ({"type":"error","error":{type,message},"request_id"}) and returns `error`. */
export async function expectAnthropicError(res: Response, status: number): Promise<AnthropicErrorView> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  const body = JSON.parse(text) as { type: string; error: AnthropicErrorView; request_id: string };
  if (
    body.type !== "error" ||
    typeof body.error?.type !== "string" ||
    typeof body.error.message !== "string"
  ) {
    throw new Error(`not Anthropic's error shape: ${text}`);
  }
  const id = res.headers.get("request-id");
  if (!id || body.request_id !== id || res.headers.get("x-request-id") !== id) {
    throw new Error(`request ids missing or different: ${id} / ${body.request_id}`);
  }
  return body.error;
}

/** The usage row with this id (a request id), once it has arrived; undefined if none came in time. */
export async function usageRowById(
  accountId: string,
  id: string,
  timeoutMs = 5_000,
): Promise<UsageRowView | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await env.ACCOUNT.getByName(accountId).requestLogEntry(accountId, id);
    const row = found ? view(accountId, found) : undefined;
    if (row || Date.now() > until) return row;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
