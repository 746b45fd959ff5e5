// Test helper: the number a D1 counting query answers (SELECT count(*) AS n …), for "none left" assertions.
import { env } from "cloudflare:workers";

export async function countRows(sql: string, ...params: unknown[]): Promise<number> {
  return (await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>())!.n;
}
