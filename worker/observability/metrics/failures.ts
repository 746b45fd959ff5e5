// A customer's recent failed API requests, for the operator's search on /admin: from the same data points
// (/admin/metrics' source), found by the account's pseudonymous reference — which also finds the customer's
// access-log lines (accountRef=…). Times, request ids, key ids, model, status and code: never content.
import { eq } from "drizzle-orm";
import { accounts } from "../../../db/schema";
import { normalizeEmail } from "../../accounts/service";
import { getConfig } from "../../config";
import type { Db } from "../../env";
import { type Operator, recordOperatorAction } from "../../operators/audit";
import { DAY_MS } from "../../time";
import { accountRef } from "../account-ref";
import { analyticsSql, fromSqlTime, sqlTime } from "./analytics-sql";
import { localPoints } from "./local-store";
import { COLUMNS as C } from "./point";
import { metricsSource } from "./query";

export type FailedRequest = {
  at: string;
  requestId: string;
  keyId: string;
  model: string;
  provider: string;
  endpoint: string;
  status: number;
  code: string;
};

const LIMIT = 50;
const REF = /^[0-9a-f]{16}$/;

/** The account's failed requests since `from`, newest first (at most 50); empty when metrics are unconfigured. */
export async function recentFailures(env: Env, accountRef: string, from: number): Promise<FailedRequest[]> {
  if (!REF.test(accountRef)) return [];
  const to = Date.now() + 1;
  const source = metricsSource(env);
  if (source === "local") {
    return localPoints(from, to)
      .filter((p) => p.accountRef === accountRef && p.status >= 400)
      .reverse()
      .slice(0, LIMIT)
      .map((p) => ({
        at: new Date(p.at).toISOString(),
        requestId: p.requestId,
        keyId: p.keyId,
        model: p.model,
        provider: p.provider,
        endpoint: p.endpoint,
        status: p.status,
        code: p.code,
      }));
  }
  if (source === "unconfigured") return [];
  const { sqlApi, dataset } = getConfig(env).metrics;
  type Row = Record<string, string | number>;
  const rows = await analyticsSql<Row>(
    sqlApi!,
    `SELECT timestamp, ${C.requestId} AS request_id, ${C.keyId} AS key_id, ${C.model} AS model,
     ${C.provider} AS provider, ${C.endpoint} AS endpoint, ${C.status} AS status, ${C.code} AS code
     FROM ${dataset} WHERE index1 = '${accountRef}' AND ${C.status} >= 400
     AND timestamp >= ${sqlTime(from)} ORDER BY timestamp DESC LIMIT ${LIMIT}`,
  );
  return rows.map((r) => ({
    at: new Date(fromSqlTime(String(r.timestamp))).toISOString(),
    requestId: String(r.request_id),
    keyId: String(r.key_id),
    model: String(r.model),
    provider: String(r.provider),
    endpoint: String(r.endpoint),
    status: Number(r.status),
    code: String(r.code),
  }));
}

export type CustomerFailures = {
  accountId: string;
  /** What the customer's access-log lines and data points carry (accountRef=…), to search the logs with. */
  accountRef: string;
  since: string;
  failures: FailedRequest[];
};

/**
 * An operator's search: the account by email or id, then its failed requests of the last day. Recorded in
 * the operator audit (by account id, never the email searched for). Null when no account matches.
 */
export async function findCustomerFailures(
  env: Env,
  db: Db,
  operator: Operator,
  who: string,
  now = Date.now(),
): Promise<CustomerFailures | null> {
  const [account] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(who.includes("@") ? eq(accounts.email, normalizeEmail(who)) : eq(accounts.id, who.trim()))
    .limit(1);
  if (!account) return null;
  await recordOperatorAction(db, operator, { action: "metrics.failures.searched", target: account.id });
  const ref = await accountRef(env, account.id);
  const since = now - DAY_MS;
  return {
    accountId: account.id,
    accountRef: ref,
    since: new Date(since).toISOString(),
    failures: await recentFailures(env, ref, since),
  };
}
