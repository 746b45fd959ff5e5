// Test helpers: simulated isolates that lease credit from an account's real Durable Object, and the metered rows
// they hand it (ADR 026).
import { env } from "cloudflare:workers";
import { accountObject } from "#worker/account-object/stub";
import { IsolateLeases } from "#worker/billing/lease";
import type { MeteredRow } from "#worker/usage/row";

/** `count` isolates, each asking the account's own object for its leases (as the gateway's batches do). */
export function isolates(count: number): IsolateLeases[] {
  return Array.from(
    { length: count },
    () =>
      new IsolateLeases((_env, accountId, ask) =>
        accountObject(env, accountId).meterBatch(accountId, [], ask),
      ),
  );
}

/** `requests` requests at once, the i-th served by isolate i mod the number of isolates. */
export async function allAtOnce(
  leases: IsolateLeases[],
  requests: number,
  one: (isolate: IsolateLeases, i: number) => Promise<void>,
): Promise<void> {
  await Promise.all(Array.from({ length: requests }, (_, i) => one(leases[i % leases.length]!, i)));
}

/** A metered usage row (one chat completion, 200) with what the test gives. */
type Given = Pick<MeteredRow, "accountId" | "costMicros" | "leaseId" | "holdId"> & Partial<MeteredRow>;

export function meteredRow(given: Given): MeteredRow {
  return {
    id: crypto.randomUUID(),
    keyId: null,
    source: "api",
    endpoint: "chat.completions",
    model: "openai/gpt-4o-mini",
    provider: "openai",
    inputTokens: 10,
    outputTokens: 5,
    latencyMs: 1,
    status: 200,
    streamed: false,
    estimated: false,
    createdAt: Date.now(),
    ...given,
  };
}
