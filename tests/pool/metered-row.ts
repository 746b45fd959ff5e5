// One metered usage row as an isolate sends it to the account's object (tests and the many-isolates measure
// build their simulated requests' rows here).
import type { MeteredRow } from "../../worker/usage/row";

export function meteredRow(
  accountId: string,
  costMicros: number,
  credit: { leaseId?: string | null; holdId?: string | null; keyId?: string | null; model?: string } = {},
): MeteredRow {
  return {
    id: crypto.randomUUID(),
    accountId,
    keyId: credit.keyId ?? null,
    source: "api",
    endpoint: "chat.completions",
    model: credit.model ?? "openai/gpt-4o-mini",
    provider: "openai",
    inputTokens: 10,
    outputTokens: 5,
    costMicros,
    latencyMs: 1,
    status: 200,
    streamed: false,
    estimated: false,
    createdAt: Date.now(),
    holdId: credit.holdId ?? null,
    leaseId: credit.leaseId ?? null,
    ...(credit.keyId && credit.leaseId ? { keyLeased: true } : {}),
  };
}
