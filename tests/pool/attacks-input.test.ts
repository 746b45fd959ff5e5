// Attacks with hostile input shapes: JSON nested deep enough to overflow anything recursive is answered
// plainly (never a 500), and changes nothing.
import { describe, expect, it } from "vitest";
import { call } from "./helpers";

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
