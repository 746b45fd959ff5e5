// The request log as a data holder (export, deletion, "what we hold"): its rows live in the account's object
// and its sealed segments in R2 under the account's prefix (ADR 090); rows written to D1 before that move
// (usage_events) are exported and erased with them until the retention has removed the last of them.

import type { DataHolder } from "../privacy/holders/holder";
import { erasePrefixes } from "../privacy/holders/r2-prefix";
import { eraseTableBatch, exportTablePage } from "../privacy/holders/table";
import { segmentPrefix } from "./segments";

const legacy = {
  name: "usage",
  description: "",
  table: "usage_events",
  columns: [
    "id",
    "key_id",
    "source",
    "endpoint",
    "model",
    "requested_model",
    "provider",
    "input_tokens",
    "output_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "cost_micros",
    "latency_ms",
    "status",
    "streamed",
    "estimated",
    "created_at",
  ],
};

const D1_PHASE = "d1:";

/** The holder without its processing record, which the registry declares beside the others. */
export const requestLogHolder: Omit<DataHolder, "processing"> = {
  name: "usage",
  description: "One row per API request: model, tokens, cost, latency, status (never content)",
  location:
    "the account's Durable Object (recent request rows), R2 request-log/<account>/ (older rows, encrypted) and D1 table usage_events (rows from before they moved)",
  // The object's pages first (cursor: the log's own), then the legacy D1 rows (cursor "d1:<rowid>").
  async export(env, accountId, cursor, held) {
    if (!cursor?.startsWith(D1_PHASE)) {
      const page = await held.requestLog(cursor);
      return { rows: page.rows, next: page.next ?? D1_PHASE };
    }
    const rowid = cursor.slice(D1_PHASE.length) || null;
    const page = await exportTablePage(env, legacy, accountId, rowid);
    return { rows: page.rows, next: page.next === null ? null : `${D1_PHASE}${page.next}` };
  },
  // The object's window and index are erased with its other buffers; here the sealed segments, then legacy rows.
  async erase(env, accountId, cursor) {
    if (!cursor?.startsWith(D1_PHASE)) {
      const page = await erasePrefixes(env.CONTENT, [segmentPrefix(accountId)], cursor);
      return { erased: page.erased, next: page.next ?? D1_PHASE };
    }
    const page = await eraseTableBatch(env, "usage_events", accountId);
    return { erased: page.erased, next: page.next === null ? null : D1_PHASE };
  },
};
