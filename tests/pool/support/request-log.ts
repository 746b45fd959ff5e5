// The request log as the proxy fills it: rows metered into the account's object, flushed (their sums to D1's
// hourly aggregates, the rows to the object's window), and sealed into R2 segments on demand.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { AccountHost } from "#worker/account-object/host";
import type { UsageRow } from "#worker/usage/row";

export type SeedRow = Partial<Omit<UsageRow, "accountId">>;

export function usageRow(accountId: string, keyId: string | null, r: SeedRow = {}): UsageRow {
  return {
    id: crypto.randomUUID(),
    accountId,
    keyId,
    source: "api",
    endpoint: "chat.completions",
    model: "openai/gpt-4o-mini",
    requestedModel: null,
    provider: "openai",
    inputTokens: 10,
    outputTokens: 5,
    costMicros: 42,
    latencyMs: 120,
    status: 200,
    streamed: false,
    estimated: false,
    createdAt: Date.now(),
    ...r,
  };
}

/** Meters the rows through the account's object (as the batcher does) and flushes them. */
export async function seedRequestLog(accountId: string, rows: UsageRow[]): Promise<void> {
  const stub = env.ACCOUNT.getByName(accountId);
  for (let i = 0; i < rows.length; i += 500) {
    const batch = rows.slice(i, i + 500).map((r) => ({ ...r, holdId: null, leaseId: null }));
    await stub.meterBatch(accountId, batch);
  }
  await stub.flushUsage();
}

/** Runs the object's sealing as its alarm would at `now`: rows older than the window go to R2 segments. */
export async function sealRequestLog(accountId: string, now = Date.now()): Promise<void> {
  await runInDurableObject(env.ACCOUNT.getByName(accountId), (_i, state) =>
    new AccountHost(state, env).requestRows.seal(now),
  );
}

/** What the object holds of the request log (window rows, segments and their rows and bytes). */
export function requestLogHeld(accountId: string) {
  return env.ACCOUNT.getByName(accountId).requestLogHeld();
}
