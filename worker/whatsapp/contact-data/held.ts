// What is held for one contact of one account, found by the contact's keyed hash: rows in every contact table,
// the logged copies in R2 (only if content logging was on when they were written), and the request-log rows of
// the model calls that answered the contact. Sealed texts are opened only while the account's content logging is
// on (the same rule as the inbox: with it off, the business chose not to read its customers' words).
import { loggingPolicy } from "../../content/capture";
import { accountDataKey } from "../../content/data-keys";
import { openExchange } from "../../content/store";
import type { Db } from "../../env";
import { readableExchange, readableRow } from "../../privacy/export/readable";
import { getRequest } from "../../request-log/entries";
import type { RequestEntry } from "../../request-log/views";
import { open } from "../sealing";
import { CONTACT_TABLES, hashIn, LOGGED_HOLDER, loggedObjects } from "./stores";

/** Rows shown per store on the page; the export carries up to EXPORT_ROWS. */
const LOOKUP_ROWS = 50;
const EXPORT_ROWS = 10_000;
/** Request-log rows looked up per contact (one object read each). */
const REQUEST_ROWS = 100;

type HeldStore = {
  holder: string;
  records: number;
  /** The newest rows (ids, states, times; texts only while content logging is on). */
  rows: Record<string, unknown>[];
};

export type Held = {
  /** A short label for the conversation (the start of the contact hash), as the dashboard shows it. */
  label: string;
  contentLogging: boolean;
  stores: HeldStore[];
  logged: { records: number; items: Record<string, unknown>[] };
  requests: RequestEntry[];
};

export type Mode = { rows: number; loggedText: boolean };
export const LOOKUP: Mode = { rows: LOOKUP_ROWS, loggedText: false };
export const EXPORT: Mode = { rows: EXPORT_ROWS, loggedText: true };

async function openOrNull(
  env: Env,
  accountId: string,
  field: string,
  sealed: unknown,
): Promise<string | null> {
  if (typeof sealed !== "string") return null;
  try {
    return await open(env, accountId, field, sealed);
  } catch {
    return null; // the account's data key is gone, or the value predates it and the master key rotated
  }
}

async function tableRows(
  env: Env,
  accountId: string,
  hashes: string[],
  mode: Mode,
  readable: boolean,
): Promise<HeldStore[]> {
  const out: HeldStore[] = [];
  for (const spec of CONTACT_TABLES) {
    const where = `FROM "${spec.table}" WHERE account_id = ? AND ${hashIn(hashes)}`;
    const [count, page] = await env.DB.batch([
      env.DB.prepare(`SELECT count(*) AS n ${where}`).bind(accountId, ...hashes),
      env.DB.prepare(
        `SELECT ${[...spec.columns, ...spec.sealed.map((s) => s.column)].map((c) => `"${c}"`).join(", ")}
         ${where} ORDER BY ${spec.order} LIMIT ?`,
      ).bind(accountId, ...hashes, mode.rows),
    ]);
    const rows: Record<string, unknown>[] = [];
    for (const raw of (page?.results ?? []) as Record<string, unknown>[]) {
      const row = readableRow(Object.fromEntries(spec.columns.map((c) => [c, raw[c]])));
      for (const s of spec.sealed) {
        if (raw[s.column] == null) continue;
        row[s.label] = readable
          ? await openOrNull(env, accountId, s.field(raw), raw[s.column])
          : "(not shown: content logging is off)";
      }
      rows.push(row);
    }
    out.push({
      holder: spec.holder,
      records: Number((count?.results[0] as { n: number } | undefined)?.n ?? 0),
      rows,
    });
  }
  return out;
}

async function loggedItems(env: Env, accountId: string, hashes: string[], mode: Mode) {
  const items: Record<string, unknown>[] = [];
  let records = 0;
  const dataKey = mode.loggedText ? await accountDataKey(env, accountId, { create: false }) : null;
  for await (const object of loggedObjects(env, accountId, hashes)) {
    records += 1;
    if (items.length >= mode.rows) continue;
    const item: Record<string, unknown> = {
      requestId: object.key.slice(object.key.lastIndexOf("/") + 1),
      storedAt: object.uploaded.toISOString(),
      retentionClass: object.key.split("/")[1],
      bytes: object.size,
    };
    if (dataKey) {
      const body = await env.CONTENT.get(object.key);
      if (body) {
        const exchange = await openExchange(object.key, new Uint8Array(await body.arrayBuffer()), dataKey);
        Object.assign(item, readableExchange(exchange));
      }
    }
    items.push(item);
  }
  return { records, items };
}

async function requestRows(env: Env, db: Db, accountId: string, hashes: string[]): Promise<RequestEntry[]> {
  const { results } = await env.DB.prepare(
    `SELECT request_id FROM whatsapp_messages WHERE account_id = ? AND ${hashIn(hashes)} AND request_id IS NOT NULL
     ORDER BY created_at DESC LIMIT ?`,
  )
    .bind(accountId, ...hashes, REQUEST_ROWS)
    .all<{ request_id: string }>();
  const out: RequestEntry[] = [];
  for (const { request_id } of results) {
    try {
      out.push(await getRequest(env, db, accountId, request_id));
    } catch {
      // Not metered (the call failed before it was), or past the request log's retention.
    }
  }
  return out;
}

/** Everything held for the contact whose keyed hashes are `hashes` (current key first), within the account. */
export async function heldFor(
  env: Env,
  db: Db,
  accountId: string,
  hashes: string[],
  mode: Mode,
): Promise<Held> {
  const policy = await loggingPolicy(env, accountId);
  return {
    label: hashes[0]!.slice(0, 8),
    contentLogging: policy.enabled,
    stores: await tableRows(env, accountId, hashes, mode, policy.enabled),
    logged: await loggedItems(env, accountId, hashes, mode),
    requests: await requestRows(env, db, accountId, hashes),
  };
}

/** Records per holder, as the trail and the receipt name them. */
export const heldCounts = (held: Held): Record<string, number> => ({
  ...Object.fromEntries(held.stores.map((s) => [s.holder, s.records])),
  [LOGGED_HOLDER]: held.logged.records,
  request_log_rows: held.requests.length,
});
