// Request limits on /v1: the Rate Limiting binding counts a key across isolates (per tier), and a key's
// open streams are capped, each answered 429 before anything reaches the provider.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_OPEN_STREAMS_PER_KEY, tierFor } from "#worker/ai/rate-limit";
import { marker, openaiFake, received, script } from "../support/ai-helpers";
import { call, expectError, newUser } from "../support/helpers";

async function keyWithLimit(rateLimitRpm: number) {
  const { cookie, id } = await newUser();
  const res = await call("/api/keys", { body: { name: "limited", rateLimitRpm }, cookie });
  const { key, id: keyId } = (await res.json()) as { key: string; id: string };
  return { key, keyId, accountId: id };
}

const chat = (key: string, content: string, stream = false) =>
  call("/v1/chat/completions", {
    key,
    body: { model: "openai/gpt-4o-mini", max_tokens: 16, messages: [{ role: "user", content }], stream },
  });

describe("per-key rate limit through the Rate Limiting binding", () => {
  it("counts a key in the smallest tier at or above its limit", () => {
    expect(tierFor(1)?.rpm).toBe(60);
    expect(tierFor(60)?.rpm).toBe(60);
    expect(tierFor(61)?.rpm).toBe(300);
    expect(tierFor(10_000_000)).toBeUndefined();
  });

  it("refuses a key whose tier another isolate used up, though this isolate has counted none", async () => {
    const { key, keyId } = await keyWithLimit(60);
    // Other isolates' requests, as Cloudflare counts them for the key.
    for (let i = 0; i < 60; i++) await env.RL_RPM_60.limit({ key: keyId });
    const m = marker();
    const res = await chat(key, m);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await expectError(res, 429)).code).toBe("rate_limited");
    expect(await received(openaiFake(), m)).toHaveLength(0);
  });
});

describe("open streams per key", () => {
  it(`answers 429 to stream ${MAX_OPEN_STREAMS_PER_KEY + 1} while ${MAX_OPEN_STREAMS_PER_KEY} are open, then frees the slots`, async () => {
    const { key } = await keyWithLimit(600); // the free plan's ceiling
    const m = marker();
    await script(openaiFake(), { match: m, times: MAX_OPEN_STREAMS_PER_KEY, delayMs: 1_000 });
    const open = Array.from({ length: MAX_OPEN_STREAMS_PER_KEY }, () => chat(key, m, true));
    // Let every open request take its slot before the extra one arrives.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const extra = marker();
    const refused = await chat(key, extra, true);
    expect((await expectError(refused, 429)).code).toBe("rate_limited");
    expect(await received(openaiFake(), extra)).toHaveLength(0);
    const responses = await Promise.all(open);
    await Promise.all(responses.map((r) => r.text()));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    // Finished streams give their slots back.
    const after = await chat(key, marker(), true);
    expect(after.status).toBe(200);
    await after.text();
  });
});
