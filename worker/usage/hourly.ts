// A flush's usage rows added to D1's hourly aggregates (ADR 090): one upsert per account, hour, key and model,
// each applied only while the flush's number is above the account's mark, which the same transaction raises,
// so a flush retried after its answer was lost adds nothing twice. This replaced the per-request D1 row and
// then the per-flush id row: D1 grows with accounts × keys × models × hours, not with requests or flushes.
import { appliedOrGone, type FlushStream, markApplied, unapplied } from "../account-object/flush-seq";
import { HOUR_MS } from "../time";
import type { UsageRow } from "./row";
import { addToTally, emptyTally, type Tally } from "./tally";

type Sums = Tally & { accountId: string; hour: number; key: string; model: string };

/** The rows summed per account, hour, key ("source:<name>" without one) and model, as the aggregates group. */
function hourlySums(rows: UsageRow[]): Sums[] {
  const groups = new Map<string, Sums>();
  for (const r of rows) {
    const hour = r.createdAt - (r.createdAt % HOUR_MS);
    const key = r.keyId ?? `source:${r.source}`;
    const id = JSON.stringify([r.accountId, hour, key, r.model]);
    let g = groups.get(id);
    if (!g) {
      g = { accountId: r.accountId, hour, key, model: r.model, ...emptyTally() };
      groups.set(id, g);
    }
    addToTally(g, r);
  }
  return [...groups.values()];
}

const STREAM: FlushStream = "usage";

/**
 * Applies flush number `seq` of the account's usage once: false when it was already applied (an earlier try
 * whose answer was lost) or the account is gone (erased while its rows waited: nothing is written for it).
 */
export async function addToHourly(
  d1: D1Database,
  flush: { accountId: string; seq: number },
  rows: UsageRow[],
): Promise<boolean> {
  const statements = [
    ...hourlySums(rows).map((s) =>
      d1
        .prepare(
          `INSERT INTO usage_hourly (account_id, hour, key, model, requests, errors, input_tokens, output_tokens,
             cached_input_tokens, cache_write_tokens, cost_micros, estimated_requests)
           SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${unapplied(STREAM)}
           ON CONFLICT (account_id, hour, key, model) DO UPDATE SET requests = requests + excluded.requests,
             errors = errors + excluded.errors, input_tokens = input_tokens + excluded.input_tokens,
             output_tokens = output_tokens + excluded.output_tokens,
             cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
             cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
             cost_micros = cost_micros + excluded.cost_micros,
             estimated_requests = estimated_requests + excluded.estimated_requests`,
        )
        .bind(
          s.accountId,
          s.hour,
          s.key,
          s.model,
          s.requests,
          s.errors,
          s.inputTokens,
          s.outputTokens,
          s.cachedInputTokens,
          s.cacheWriteTokens,
          s.costMicros,
          s.estimatedRequests,
          flush.accountId,
          flush.seq,
        ),
    ),
    // Last: the sums above read the mark before it moves.
    markApplied(d1, STREAM, flush.accountId, flush.seq),
  ];
  try {
    const results = await d1.batch(statements);
    return (results.at(-1)?.meta.changes ?? 0) > 0;
  } catch (error) {
    if (await appliedOrGone(d1, STREAM, flush.accountId, flush.seq)) return false;
    throw error;
  }
}
