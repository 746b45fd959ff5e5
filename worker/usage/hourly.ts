// A flush's usage rows added to D1's hourly aggregates (ADR 090): one upsert per account, hour, key and model,
// in one transaction with the flush's id, so a flush retried after its answer was lost adds nothing twice.
// This replaced the per-request D1 row: D1 now grows with accounts × keys × models × hours, not with requests.
import { HOUR_MS } from "../time";
import type { UsageRow } from "./row";
import { addToTally, emptyTally, type Tally } from "./tally";

/** Flush ids are kept an hour: a flush is retried within seconds; an hour keeps the table small (ADR 090). */
const FLUSH_IDS_KEPT_MS = HOUR_MS;

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

/** Applies one flush once: false when its id was already applied (an earlier try whose answer was lost). */
export async function addToHourly(d1: D1Database, flushId: string, rows: UsageRow[]): Promise<boolean> {
  const now = Date.now();
  const statements = [
    d1.prepare("INSERT INTO usage_flushes (id, created_at) VALUES (?, ?)").bind(flushId, now),
    ...hourlySums(rows).map((s) =>
      d1
        .prepare(
          `INSERT INTO usage_hourly (account_id, hour, key, model, requests, errors, input_tokens, output_tokens,
             cached_input_tokens, cache_write_tokens, cost_micros, estimated_requests)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
        ),
    ),
    d1.prepare("DELETE FROM usage_flushes WHERE created_at < ?").bind(now - FLUSH_IDS_KEPT_MS),
  ];
  try {
    await d1.batch(statements);
    return true;
  } catch (error) {
    const applied = await d1
      .prepare("SELECT 1 AS found FROM usage_flushes WHERE id = ?")
      .bind(flushId)
      .first();
    if (applied) return false;
    throw error;
  }
}
