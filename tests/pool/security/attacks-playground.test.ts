// Attacks through the dashboard playground: it spends through the gateway like a key does, so it is no way
// around a key's request limit or its cap on open streams.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_OPEN_STREAMS_PER_KEY } from "#worker/ai/rate-limit";
import { PLAYGROUND_RPM } from "../../../app/lib/playground.server";
import { action } from "../../../app/routes/dashboard/playground-stream";
import { marker, openaiFake, received, script, usageRows } from "../support/ai-helpers";
import { expectError, newUser } from "../support/helpers";
import { args, post } from "../support/route-calls";

function ask(cookie: string, prompt: string): Promise<Response> {
  const request = post("/dashboard/playground/stream", { model: "openai/gpt-4o-mini", prompt }, cookie);
  return action(args(request)) as Promise<Response>;
}

describe("attack: the playground as a way around the request limits", () => {
  it(`is limited to ${PLAYGROUND_RPM} requests a minute per account, counted across isolates`, async () => {
    const { cookie, id } = await newUser();
    // Other isolates' playground requests of this account, as Cloudflare counts them.
    for (let i = 0; i < PLAYGROUND_RPM; i++) await env.RL_RPM_60.limit({ key: `playground:${id}` });
    const m = marker();
    const refused = await ask(cookie, m);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await expectError(refused, 429)).code).toBe("rate_limited");
    expect(await received(openaiFake(), m)).toHaveLength(0);
    expect(await usageRows(id, 1, 200)).toHaveLength(0);
  });

  it(`holds at most ${MAX_OPEN_STREAMS_PER_KEY} open streams per account`, async () => {
    const { cookie } = await newUser();
    const m = marker();
    await script(openaiFake(), { match: m, times: MAX_OPEN_STREAMS_PER_KEY, delayMs: 1_000 });
    const open = Array.from({ length: MAX_OPEN_STREAMS_PER_KEY }, () => ask(cookie, m));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const extra = marker();
    expect((await expectError(await ask(cookie, extra), 429)).code).toBe("rate_limited");
    expect(await received(openaiFake(), extra)).toHaveLength(0);
    const responses = await Promise.all(open);
    await Promise.all(responses.map((r) => r.text()));
    expect(responses.every((r) => r.status === 200)).toBe(true);
  });
});
