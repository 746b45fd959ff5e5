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
