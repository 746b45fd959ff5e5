// Attacks with hostile input shapes: JSON nested deep enough to overflow anything recursive is answered
// plainly (never a 500), and a request cannot reserve for one output cap while the provider honours another.
import { describe, expect, it } from "vitest";
import { marker, openaiFake, received, usageRows } from "../support/ai-helpers";
import { call, expectError, newKeyUser } from "../support/helpers";

/** JSON text of `[[[…"x"…]]]`, `depth` levels deep. */
const nested = (depth: number) => `${"[".repeat(depth)}"x"${"]".repeat(depth)}`;

const verify = (rawBody: string) =>
  call("/api/privacy/receipts/verify", { rawBody, headers: { "content-type": "application/json" } });

describe("attack: deep JSON at the public receipt check", () => {
  it("an HMAC-looking receipt nested 100,000 levels deep is 'not valid', never a stack overflow (500)", async () => {
    for (const body of [
      `{"receipt":{"signature":"00","x":${nested(100_000)}}}`,
      `{"receipt":{"jws":"a.b.c","kind":${nested(100_000)}}}`,
      JSON.stringify({ receipt: `{"signature":"00","x":${nested(50_000)}}` }),
    ]) {
      const res = await verify(body);
      expect(res.status).toBe(200);
      const check = (await res.json()) as { valid: boolean; reason: string; format: string };
      expect(check).toMatchObject({ valid: false, format: "unknown" });
      expect(check.reason).toMatch(/deeper than 64 levels/);
    }
  });
});

describe("attack: a small cap for the reservation, a large one for the provider", () => {
  it("max_completion_tokens: 1 beside max_tokens: 16,384 reserves for 16,384: n=128 on a $1 trial is 402, nothing sent", async () => {
    const { key, id } = await newKeyUser();
    const m = marker();
    const res = await call("/v1/chat/completions", {
      key,
      body: {
        model: "openai/gpt-4o-mini",
        n: 128,
        max_completion_tokens: 1,
        max_tokens: 16_384,
        messages: [{ role: "user", content: m }],
      },
    });
    expect((await expectError(res, 402)).code).toBe("insufficient_credit");
    expect(await received(openaiFake(), m)).toHaveLength(0);
    // The refusal is recorded (status 402), and nothing is charged for it.
    const rows = await usageRows(id, 1);
    expect(rows.map((r) => [r.status, r.cost_micros])).toEqual([[402, 0]]);
  });

  it("the largest cap is the one checked against the model's maximum", async () => {
    const { key } = await newKeyUser();
    const res = await call("/v1/chat/completions", {
      key,
      body: {
        model: "openai/gpt-4o-mini",
        max_completion_tokens: 16,
        max_tokens: 10_000_000,
        messages: [{ role: "user", content: marker() }],
      },
    });
    expect((await expectError(res, 400)).code).toBe("max_tokens_exceeded");
  });
});
