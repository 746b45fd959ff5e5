// A customer's recent failed API requests, for the operator's search on /admin: from the same data points
// (/admin/metrics' source), found by the account's pseudonymous reference — which also finds the customer's
// access-log lines (accountRef=…). Times, request ids, key ids, model, status and code: never content.
import { getConfig } from "../../config";
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
