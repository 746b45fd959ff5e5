// Drives an account's Durable Object alarm until its privacy request is finished.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";

export async function settle(accountId: string, requestId: string, rounds = 200): Promise<string> {
  const stub = env.ACCOUNT.getByName(accountId);
  for (let i = 0; i < rounds; i++) {
    const row = await env.DB.prepare("SELECT status FROM privacy_requests WHERE id = ?")
      .bind(requestId)
      .first<{ status: string }>();
    if (row && row.status !== "in_progress") return row.status;
    await runDurableObjectAlarm(stub);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("request did not settle");
}
