// GET /api/usage and metering exactness: grouped sums match the rows, tenants are isolated, and 1,000
// concurrent requests leave exactly 1,000 rows whose tokens and costs add up.
import { describe, expect, it } from "vitest";
import { marker, usageRows } from "../support/ai-helpers";
import { call, expectError, newKeyUser, newUser } from "../support/helpers";

type UsageBody = {
  rows: {
    group: string;
    label: string;
    requests: number;
    inputTokens: number;
    outputTokens: number;
    costMicros: number;
    cost: number;
  }[];
};

async function usage(cookie: string, query = ""): Promise<UsageBody> {
  const res = await call(`/api/usage${query}`, { cookie });
  expect(res.status).toBe(200);
  return (await res.json()) as UsageBody;
}

const chat = (key: string, model: string, content = marker()) =>
  call("/v1/chat/completions", {
    key,
    body: { model, max_tokens: 10, messages: [{ role: "user", content }] },
  });

describe("GET /api/usage", () => {
  it("needs a session", async () => {
    await expectError(await call("/api/usage"), 401);
  });

  it("groups by model, key and day, and sees requests made a moment ago", async () => {
    const user = await newKeyUser();
    const second = (await (
      await call("/api/keys", { body: { name: "second" }, cookie: user.cookie })
    ).json()) as {
      key: string;
      id: string;
    };
    for (const res of await Promise.all([
      chat(user.key, "openai/gpt-4o-mini"),
      chat(user.key, "openai/gpt-4o-mini"),
      chat(second.key, "anthropic/claude-3-5-haiku-latest"),
    ])) {
      expect(res.status).toBe(200);
    }
    const rows = await usageRows(user.id, 3);
    const byModel = await usage(user.cookie, "?groupBy=model");
    expect(byModel.rows.map((r) => [r.group, r.requests])).toEqual([
      ["anthropic/claude-3-5-haiku-latest", 1],
      ["openai/gpt-4o-mini", 2],
    ]);
    const byKey = await usage(user.cookie, "?groupBy=key");
    expect(byKey.rows.find((r) => r.group === second.id)).toMatchObject({
      requests: 1,
      label: expect.stringContaining("second"),
    });
    const byDay = await usage(user.cookie);
    expect(byDay.rows).toHaveLength(1);
    const total = byDay.rows[0]!;
    expect(total.requests).toBe(3);
    expect(total.inputTokens).toBe(rows.reduce((n, r) => n + r.input_tokens, 0));
    expect(total.outputTokens).toBe(rows.reduce((n, r) => n + r.output_tokens, 0));
    expect(total.costMicros).toBe(rows.reduce((n, r) => n + r.cost_micros, 0));
    expect(total.cost).toBe(total.costMicros / 1e6);
  });

  it("shows internal callers (no key) under their source", async () => {
    const { askModel } = await import("#worker/whatsapp/ask");
    const { env } = await import("cloudflare:workers");
    const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
    const user = await newUser();
    const ctx = createExecutionContext();
    const result = await askModel(env, ctx, {
      accountId: user.id,
      model: "dev/echo",
      messages: [{ role: "user", content: "hola" }],
      maxTokens: 64,
      contactHash: "0".repeat(64),
      requestId: crypto.randomUUID(),
    });
    await waitOnExecutionContext(ctx);
    expect(result).toEqual({ text: "[dev provider] You said: hola", handOff: false });
    const [row] = await usageRows(user.id, 1);
    expect(row).toMatchObject({ key_id: null, source: "whatsapp", model: "dev/echo" });
    const byKey = await usage(user.cookie, "?groupBy=key");
    expect(byKey.rows).toEqual([
      expect.objectContaining({ group: "source:whatsapp", label: "whatsapp", requests: 1 }),
    ]);
  });

  it("never shows another account's usage", async () => {
    const alice = await newKeyUser();
    const bob = await newUser();
    expect((await chat(alice.key, "dev/echo")).status).toBe(200);
    await usageRows(alice.id, 1);
    expect((await usage(bob.cookie)).rows).toEqual([]);
  });

  it.each([
    ["?groupBy=week", "groupBy"],
    ["?from=yesterday", "from"],
    ["?from=2026-02-01&to=2026-01-01", "from"],
    ["?from=2020-01-01&to=2026-01-01", "from"],
    ["?color=red", null],
  ])("refuses %s with 400", async (query, param) => {
    const { cookie } = await newUser();
    const e = await expectError(await call(`/api/usage${query}`, { cookie }), 400);
    if (param) expect(e.param).toBe(param);
  });
});

describe("metering under concurrency", () => {
  // The pool's in-process fetch slows down as requests pile up (even a static route: ~4 s for 200 at once), so
  // here 200 requests run 20 at a time; `npm run bench` sends 1,000 at once over real HTTP and checks the rows.
  it("200 requests, 20 in flight → 200 rows, tokens and costs summing exactly", async () => {
    const { cookie, id } = await newUser();
    const created = await call("/api/keys", { body: { name: "load", rateLimitRpm: 600 }, cookie });
    const { key } = (await created.json()) as { key: string };
    const content = marker("load");
    const TOTAL = 200;
    const bodies: { usage: { prompt_tokens: number; completion_tokens: number } }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < TOTAL) {
        next++;
        const res = await chat(key, "openai/gpt-4o-mini", content);
        expect(res.status).toBe(200);
        bodies.push((await res.json()) as (typeof bodies)[number]);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    expect(bodies).toHaveLength(TOTAL);
    const rows = await usageRows(id, TOTAL, 20_000);
    expect(rows).toHaveLength(TOTAL);
    expect(new Set(rows.map((r) => r.id)).size).toBe(TOTAL);
    const input = bodies.reduce((n, b) => n + b.usage.prompt_tokens, 0);
    const output = bodies.reduce((n, b) => n + b.usage.completion_tokens, 0);
    const perRequest = Math.ceil(
      (bodies[0]!.usage.prompt_tokens * 150_000 + bodies[0]!.usage.completion_tokens * 600_000) / 1e6,
    );
    const [total] = (await usage(cookie)).rows;
    expect(total).toMatchObject({
      requests: TOTAL,
      inputTokens: input,
      outputTokens: output,
      costMicros: TOTAL * perRequest,
    });
  }, 120_000);
});
