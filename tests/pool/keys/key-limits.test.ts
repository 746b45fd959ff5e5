// Key expiry and monthly spend limits, enforced on the hot path from the cached key (no extra round trip).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { marker, openaiFake, received } from "../support/ai-helpers";
import { call, expectError, newKeyUser } from "../support/helpers";

const chat = (key: string, content: string) =>
  call("/v1/chat/completions", {
    key,
    body: { model: "openai/gpt-4o-mini", max_tokens: 16, messages: [{ role: "user", content }] },
  });

describe("key expiry", () => {
  it("answers 401 expired_api_key once the key's expiry passed, also while it is cached", async () => {
    const user = await newKeyUser();
    await env.DB.prepare("UPDATE api_keys SET expires_at = ? WHERE id = ?")
      .bind(Date.now() + 400, user.keyId)
      .run();
    expect((await chat(user.key, marker())).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const m = marker();
    expect((await expectError(await chat(user.key, m), 401)).code).toBe("expired_api_key");
    expect(await received(openaiFake(), m)).toHaveLength(0);
  });
});

describe("a key's rate limit under a lapsed plan", () => {
  it("holds a 3,000 rpm key set under Pro to the Free plan's 600 once the subscription lapsed", async () => {
    const user = await newKeyUser();
    // Set while the account was on Pro; the subscription has since been canceled.
    await env.DB.batch([
      env.DB.prepare("UPDATE api_keys SET rate_limit_rpm = 3000 WHERE id = ?").bind(user.keyId),
      env.DB.prepare(
        "INSERT INTO billing_accounts (account_id, balance_micros, subscription_status, subscription_price_id, created_at) VALUES (?, 5000000, 'canceled', 'price_pro', ?)",
      ).bind(user.id, Date.now()),
    ]);
    // Other isolates used up 600 requests of this key in the minute, as Cloudflare counts them.
    for (let i = 0; i < 600; i++) await env.RL_RPM_600.limit({ key: user.keyId });
    const m = marker();
    const refused = await chat(user.key, m);
    const e = await expectError(refused, 429);
    expect(e.message).toContain("600 requests per minute");
    expect(await received(openaiFake(), m)).toHaveLength(0);
  });
});
