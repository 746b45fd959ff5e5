// "What we hold about you right now": record counts per holder of the same registry the export and the
// deletion use, counted in place (COUNT(*) in D1, a listing in R2) — nothing is read or decrypted.
import { accountObject } from "../../account-object/stub";
import { exportPrefix, holders } from "./";
import { contentPrefixes } from "./content";
import type { DataHolder } from "./holder";

/** The D1 tables a holder names in its location ("D1 table x", "D1 tables a, b, c"). */
export function holderTables(holder: DataHolder): string[] {
  const m = /D1 tables? ([a-z_]+(?:, [a-z_]+)*)/.exec(holder.location);
  return m ? m[1]!.split(", ") : [];
}

/** Counting stops here for R2: the page says "at least". */
const OBJECTS_COUNTED = 10_000;

async function countObjects(bucket: R2Bucket, prefixes: string[]): Promise<number> {
  let n = 0;
  for (const prefix of prefixes) {
    let cursor: string | undefined;
    do {
      const page = await bucket.list({ prefix, cursor, limit: 1000 });
      n += page.objects.length;
      cursor = page.truncated && n < OBJECTS_COUNTED ? page.cursor : undefined;
    } while (cursor);
  }
  return n;
}

/** Export files: one per export (its parts are stored under `<requestId>/`), however many parts it has. */
async function countExports(bucket: R2Bucket, accountId: string): Promise<number> {
  const page = await bucket.list({ prefix: exportPrefix(accountId), delimiter: "/", limit: 1000 });
  return page.delimitedPrefixes.length;
}

async function countRows(env: Env, table: string, accountId: string): Promise<number> {
  // The privacy trail is kept per request, not per account: count it through the account's requests.
  const sql =
    table === "accounts"
      ? "SELECT count(*) AS n FROM accounts WHERE id = ?"
      : table === "privacy_audit"
        ? "SELECT count(*) AS n FROM privacy_audit WHERE request_id IN (SELECT id FROM privacy_requests WHERE account_id = ?)"
        : `SELECT count(*) AS n FROM "${table}" WHERE account_id = ?`;
  const row = await env.DB.prepare(sql).bind(accountId).first<{ n: number }>();
  return row?.n ?? 0;
}

/** The request log's rows: the object's window and sealed segments (counted from its index), plus legacy D1 rows. */
async function requestLogRecords(env: Env, accountId: string): Promise<number> {
  const held = await accountObject(env, accountId).requestLogHeld();
  return held.rows + held.sealedRows + (await countRows(env, "usage_events", accountId));
}

export type Holding = {
  name: string;
  description: string;
  location: string;
  records: number;
  /** What `records` counts, in words: "record", or "export" for the export files. */
  unit: "record" | "export";
  exported: boolean;
};

export async function holdingsOf(env: Env, accountId: string): Promise<Holding[]> {
  const out: Holding[] = [];
  for (const h of holders) {
    if (!h.description) continue;
    let records = 0;
    if (h.name === "content") records = await countObjects(env.CONTENT, contentPrefixes(accountId));
    else if (h.name === "exports") records = await countExports(env.CONTENT, accountId);
    else if (h.name === "usage") records = await requestLogRecords(env, accountId);
    else for (const t of holderTables(h)) records += await countRows(env, t, accountId);
    out.push({
      name: h.name,
      description: h.description,
      location: h.location,
      records,
      unit: h.name === "exports" ? "export" : "record",
      exported: Boolean(h.export),
    });
  }
  return out;
}
