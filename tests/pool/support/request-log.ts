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

/** Buffers the rows in the account's object (as metering does, without credit) and flushes them. */
export async function seedRequestLog(accountId: string, rows: UsageRow[]): Promise<void> {
  await runInDurableObject(env.ACCOUNT.getByName(accountId), async (_i, state) => {
    const host = new AccountHost(state, env);
    for (const row of rows) await host.usage.add(row);
    await host.usage.flush();
  });
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
