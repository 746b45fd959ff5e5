// Attacks on API key settings: a limit is only ever as high as the plan the account is on now.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ensureBillingAccount } from "#worker/billing/ledger";
import { getDb } from "#worker/db";
import { FAKE_STRIPE_PRICES } from "../../fakes/stripe";
import { marker, openaiFake, received } from "../support/ai-helpers";
import { call, expectError, newKeyUser } from "../support/helpers";

describe("attack: keep a paid plan's rate limit after the plan lapses", () => {
  it("a key given 6,000/min under Team is held to the free plan's 600/min once the subscription ends", async () => {
    const { key, keyId } = await newKeyUser();
    // The state a Team subscription leaves behind when it is canceled: the key still says 6,000.
    await env.DB.prepare("UPDATE api_keys SET rate_limit_rpm = 6000 WHERE id = ?").bind(keyId).run();
    // This minute's 600 requests, as Cloudflare counts them for the key in the free plan's tier.
    for (let i = 0; i < 600; i++) await env.RL_RPM_600.limit({ key: keyId });
    const m = marker();
    const res = await call("/v1/chat/completions", {
      key,
      body: { model: "openai/gpt-4o-mini", max_tokens: 16, messages: [{ role: "user", content: m }] },
    });
    const e = await expectError(res, 429);
    expect(e.code).toBe("rate_limited");
    expect(e.message).toContain("600 requests per minute");
    expect(await received(openaiFake(), m)).toHaveLength(0);
  });

  it("while the Team subscription is live, the same key keeps its 6,000/min", async () => {
    const { key, keyId, id } = await newKeyUser();
    await ensureBillingAccount(getDb(env.DB), id);
    await env.DB.prepare(
      "UPDATE billing_accounts SET subscription_status = 'active', subscription_price_id = ? WHERE account_id = ?",
    )
      .bind(FAKE_STRIPE_PRICES.team, id)
      .run();
    await env.DB.prepare("UPDATE api_keys SET rate_limit_rpm = 6000 WHERE id = ?").bind(keyId).run();
    for (let i = 0; i < 600; i++) await env.RL_RPM_600.limit({ key: keyId });
    const res = await call("/v1/chat/completions", {
      key,
      body: { model: "openai/gpt-4o-mini", max_tokens: 16, messages: [{ role: "user", content: marker() }] },
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });
});
