// Analytics Engine's SQL API (production): POST the query text to the account's endpoint with a bearer token
// (Account Analytics: Read), rows back as JSON. The only place the token is used; its failures are named by
// status only, never with the query or the answer's text.
import type { Config } from "../../config";
import { AppError } from "../../errors";

const TIMEOUT_MS = 10_000;

export type SqlApi = NonNullable<Config["metrics"]["sqlApi"]>;

/** Cloudflare's API base; a test points it at a loopback fake. @internal */
export const SQL_API_BASE = { url: "https://api.cloudflare.com/client/v4" };

export async function analyticsSql<Row>(api: SqlApi, query: string): Promise<Row[]> {
  const res = await fetch(`${SQL_API_BASE.url}/accounts/${api.accountId}/analytics_engine/sql`, {
    method: "POST",
    headers: { authorization: `Bearer ${api.token}`, "content-type": "text/plain" },
    body: `${query} FORMAT JSON`,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw new AppError(502, `Analytics Engine's SQL API answered ${res.status}.`, {
      code: "metrics_unavailable",
      type: "api_error",
    });
  }
  const body = (await res.json()) as { data?: Row[] };
  return body.data ?? [];
}

/** AE's DateTime literal for an epoch ms (UTC, whole seconds). */
export function sqlTime(ms: number): string {
  return `toDateTime('${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace("T", " ")}')`;
}

/** AE's DateTime text ("2026-12-06 10:00:00", UTC) → epoch ms. */
export function fromSqlTime(text: string): number {
  return Date.parse(`${text.replace(" ", "T")}Z`);
}
