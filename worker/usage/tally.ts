// What a sum of usage rows holds, and the one rule for adding a row to it: D1's hourly aggregates
// (usage/hourly.ts) and the request log's short-range sums (request-log/store.ts) both add rows this way.

export type Tally = {
  requests: number;
  /** Rows answered with a status of 400 or above. */
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  costMicros: number;
  /** Rows whose tokens were estimated (the provider sent no usage). */
  estimatedRequests: number;
};

type Counted = {
  status: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  costMicros: number;
  estimated?: boolean;
};

export function emptyTally(): Tally {
  return {
    requests: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    costMicros: 0,
    estimatedRequests: 0,
  };
}

/** Adds one row's figures to `t`. */
export function addToTally(t: Tally, r: Counted): void {
  t.requests += 1;
  t.errors += r.status >= 400 ? 1 : 0;
  t.inputTokens += r.inputTokens;
  t.outputTokens += r.outputTokens;
  t.cachedInputTokens += r.cachedInputTokens ?? 0;
  t.cacheWriteTokens += r.cacheWriteTokens ?? 0;
  t.costMicros += r.costMicros;
  t.estimatedRequests += r.estimated ? 1 : 0;
}
