// A holder for one D1 table keyed by account_id: pages by rowid for export, erases in bounded batches.

import type { Config } from "../../config";
import { readableRow as readable } from "../export/readable";
import type { DataHolder, ExportPage, Processing } from "./holder";

const EXPORT_PAGE_ROWS = 500;
const ERASE_BATCH_ROWS = 5_000;

export type TableSpec = {
  name: string;
  description: string;
  table: string;
  /** Allow-list of exported columns: secrets, hashes and sealed values are never listed. */
  columns: string[] | null;
  /** The column naming the account (default account_id). */
  accountColumn?: string;
};

/** A table holder: the table, and what it declares about its processing. */
export type TableHolderSpec = TableSpec & { processing: (config: Config) => Processing };

export async function exportTablePage(
  env: Env,
  spec: TableSpec,
  accountId: string,
  cursor: string | null,
  limit = EXPORT_PAGE_ROWS,
): Promise<ExportPage> {
  const cols = spec.columns ? spec.columns.map((c) => `"${c}"`).join(", ") : "";
  const { results } = await env.DB.prepare(
    `SELECT rowid AS _rowid${cols ? `, ${cols}` : ""} FROM "${spec.table}"
     WHERE "${spec.accountColumn ?? "account_id"}" = ? AND rowid > ? ORDER BY rowid LIMIT ?`,
  )
    .bind(accountId, Number(cursor ?? 0), limit)
    .all<Record<string, unknown>>();
  const last = results.at(-1)?._rowid;
  return { rows: results.map(readable), next: results.length === limit ? String(last) : null };
}

export async function eraseTableBatch(env: Env, table: string, accountId: string, column = "account_id") {
  const result = await env.DB.prepare(
    `DELETE FROM "${table}" WHERE rowid IN (SELECT rowid FROM "${table}" WHERE "${column}" = ? LIMIT ?)`,
  )
    .bind(accountId, ERASE_BATCH_ROWS)
    .run();
  const erased = result.meta.changes ?? 0;
  return { erased, next: erased === ERASE_BATCH_ROWS ? "more" : null };
}

export function tableHolder(spec: TableHolderSpec): DataHolder {
  return {
    name: spec.name,
    description: spec.description,
    location: `D1 table ${spec.table}`,
    processing: spec.processing,
    export: spec.columns ? (env, accountId, cursor) => exportTablePage(env, spec, accountId, cursor) : null,
    erase: (env, accountId) => eraseTableBatch(env, spec.table, accountId, spec.accountColumn),
  };
}
