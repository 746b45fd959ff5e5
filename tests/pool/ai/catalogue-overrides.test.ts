// Operators change the catalogue without a deploy (ADR 035): an added model is served and billed at its price; a
// price change applies to requests started after its effective time only (metered rows keep theirs; a future one
// waits); a disabled model is gone; each change is checked, audited and append-only; and the request path reads
// the overrides from this isolate's memory, not from D1 per request.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { findModel } from "#worker/ai/catalogue";
import {
  OVERRIDES_MAX_AGE_MS,
  OVERRIDES_TTL_MS,
  overridesReady,
  reloadOverrides,
} from "#worker/ai/catalogue/overrides/cache";
import { OVERRIDE_LEAD_MS, saveOverride } from "#worker/ai/catalogue/overrides/service";
import type { CatalogueOverrideInputValue } from "#worker/ai/catalogue/overrides/views";
import { costMicros, micros } from "#worker/ai/catalogue/prices";
import { getConfig } from "#worker/config";
import { getDb } from "#worker/db";
import * as dashboardModels from "../../../app/routes/dashboard/models";
import * as publicModels from "../../../app/routes/models";
import { usageRows } from "../support/ai-helpers";
import { countRows } from "../support/d1-count";
import { call, expectError, newKeyUser, OPERATOR_EMAIL, operatorSession } from "../support/helpers";
import { args, page } from "../support/route-calls";

let operator: { cookie: string; id: string; email: string };
beforeAll(async () => {
  operator = { ...(await operatorSession()), email: OPERATOR_EMAIL };
});

const MINUTE = 60_000;
const db = () => getDb(env.DB);
const newId = () => `dev/priced-${crypto.randomUUID().slice(0, 8)}`;

/** A model of the dev provider (it answers any name in-process) at the given prices per 1M tokens. */
const added = (modelId: string, input: string, output: string): CatalogueOverrideInputValue => ({
  modelId,
  disabled: false,
  kind: "chat",
  contextTokens: 32_000,
  maxOutputTokens: 1_000,
  prices: { input, output },
});

/** Saved as if `ago` ms ago (so it took effect `ago - OVERRIDE_LEAD_MS` ago). */
const savedAgo = (ago: number, input: CatalogueOverrideInputValue) =>
  saveOverride(env, db(), { accountId: operator.id, email: operator.email }, input, Date.now() - ago);

const chat = (key: string, model: string) =>
  call("/v1/chat/completions", {
    key,
    body: { model, messages: [{ role: "user", content: "one two three four five six seven" }] },
  });

const expectedCost = (row: { input_tokens: number; output_tokens: number }, input: string, output: string) =>
  costMicros(
    {
      inputMicrosPerM: micros(input),
      outputMicrosPerM: micros(output),
      cachedInputMicrosPerM: micros(input),
      cacheWriteMicrosPerM: null,
    },
    { inputTokens: row.input_tokens, outputTokens: row.output_tokens },
  );

describe("prices from their effective time, never retroactive", () => {
  it("a request before the change keeps the old price, one after has the new, a future one waits", async () => {
    const id = newId();
    await savedAgo(10 * MINUTE, added(id, "1", "2"));
    const { key, id: accountId } = await newKeyUser();

    expect((await chat(key, id)).status).toBe(200);
    const [before] = await usageRows(accountId, 1);
    expect(before!.cost_micros).toBe(expectedCost(before!, "1", "2"));
    expect(before!.cost_micros).toBeGreaterThan(0);

    // A change that took effect a minute ago: the next request is priced by it; the metered row is not.
    await savedAgo(2 * MINUTE, added(id, "10", "20"));
    expect((await chat(key, id)).status).toBe(200);
    const [first, after] = await usageRows(accountId, 2);
    expect(first).toEqual(before);
    expect(after!.cost_micros).toBe(expectedCost(after!, "10", "20"));

    // Saved now: it applies a minute from now at the earliest, so this request still pays the price in force.
    const future = await savedAgo(0, added(id, "100", "200"));
    expect(Date.parse(future.effectiveAt)).toBeGreaterThanOrEqual(Date.now() + OVERRIDE_LEAD_MS - 1_000);
    expect(future.state).toBe("scheduled");
    expect((await chat(key, id)).status).toBe(200);
    const third = (await usageRows(accountId, 3))[2]!;
    expect(third.cost_micros).toBe(expectedCost(third, "10", "20"));

    const list = await call(`/v1/models/${id}`, { key });
    expect(((await list.json()) as { pricing: { input: number } }).pricing.input).toBe(10);
  });
});

describe("adding and disabling models", () => {
  it("an added model is listed and served; disabled, it is a 404 and gone from /v1/models", async () => {
    const id = newId();
    const { key } = await newKeyUser();
    const ids = async () =>
      ((await (await call("/v1/models", { key })).json()) as { data: { id: string }[] }).data.map(
        (m) => m.id,
      );
    expect(await ids()).not.toContain(id);
    await expectError(await chat(key, id), 404);

    await savedAgo(5 * MINUTE, added(id, "1", "2"));
    expect(await ids()).toContain(id);
    expect((await chat(key, id)).status).toBe(200);

    await savedAgo(3 * MINUTE, { modelId: id, disabled: true });
    expect(await ids()).not.toContain(id);
    expect((await expectError(await chat(key, id), 404)).code).toBe("model_not_found");
  });

  it("changes a shipped model's limits; an override with nothing set restores them", async () => {
    const { key } = await newKeyUser();
    const body = (max: number) => ({
      model: "dev/echo",
      max_tokens: max,
      messages: [{ role: "user", content: "hi" }],
    });
    expect((await call("/v1/chat/completions", { key, body: body(2_000) })).status).toBe(200);
    await savedAgo(5 * MINUTE, { modelId: "dev/echo", disabled: false, maxOutputTokens: 1_000 });
    const model = (await (await call("/v1/models/dev/echo", { key })).json()) as Record<string, unknown>;
    expect(model.max_output_tokens).toBe(1_000);
    expect(model.context_length).toBe(32_000);
    // Back to the shipped limits: an override with nothing set.
    await savedAgo(4 * MINUTE, { modelId: "dev/echo", disabled: false });
    const back = (await (await call("/v1/models/dev/echo", { key })).json()) as Record<string, unknown>;
    expect(back.max_output_tokens).toBe(4_096);
  });
});

describe("the models pages", () => {
  it("/models and /dashboard/models show an added model with its four prices, searchable", async () => {
    const id = newId();
    await savedAgo(5 * MINUTE, {
      ...added(id, "1.50", "6"),
      prices: { input: "1.50", output: "6", cachedInput: "0.15", cacheWrite: "1.875" },
    });
    const { cookie } = await newKeyUser();
    for (const [route, path] of [
      [publicModels, "/models"],
      [dashboardModels, "/dashboard/models"],
    ] as const) {
      const data = await route.loader(args(page(`${path}?q=${id.split("/")[1]}&sort=cacheWrite`, cookie)));
      expect(data.models).toEqual([
        expect.objectContaining({
          id,
          provider: "Development (built in)",
          inputMicrosPerM: 1_500_000,
          outputMicrosPerM: 6_000_000,
          cachedInputMicrosPerM: 150_000,
          cacheWriteMicrosPerM: 1_875_000,
        }),
      ]);
    }
  });
});

describe("/api/admin/catalogue", () => {
  const post = (cookie: string, body: unknown) =>
    call("/api/admin/catalogue/overrides", { method: "POST", cookie, body });

  it("saves an override a minute ahead, audited, listed as scheduled", async () => {
    const id = newId();
    const res = await post(operator.cookie, added(id, "0.5", "1.5"));
    expect(res.status).toBe(201);
    const saved = (await res.json()) as { id: number; effectiveAt: string; state: string };
    expect(saved.state).toBe("scheduled");
    expect(Date.parse(saved.effectiveAt) - Date.now()).toBeGreaterThan(OVERRIDE_LEAD_MS - 5_000);
    expect(
      await countRows(
        "SELECT count(*) AS n FROM operator_audit WHERE action = 'catalogue.model.added' AND target = ?",
        id,
      ),
    ).toBe(1);
    const list = (await (await call("/api/admin/catalogue", { cookie: operator.cookie })).json()) as {
      models: { id: string }[];
      overrides: { id: number; state: string }[];
    };
    expect(list.overrides.find((o) => o.id === saved.id)?.state).toBe("scheduled");
    // Not in force yet: not a model of the catalogue yet.
    expect(list.models.map((m) => m.id)).not.toContain(id);
    expect(list.models.find((m) => m.id === "openai/gpt-4o-mini")).toMatchObject({
      source: "shipped",
      prices: { input: "0.15", output: "0.60", cachedInput: "0.075" },
    });
  });

  it("refuses what the catalogue's build check refuses, past times, old ids and other providers", async () => {
    const cases: [unknown, string | null][] = [
      [
        { ...added(newId(), "1", "2"), prices: { input: "1", output: "2", cachedInput: "3" } },
        "prices.cachedInput",
      ],
      [{ ...added(newId(), "1", "2"), maxOutputTokens: 64_000 }, "maxOutputTokens"],
      [{ modelId: newId(), prices: { input: "1" } }, "kind"],
      [
        { ...added(newId(), "1", "2"), effectiveAt: new Date(Date.now() + 10_000).toISOString() },
        "effectiveAt",
      ],
      [{ modelId: "anthropic/claude-3-5-haiku-latest", prices: { input: "1" } }, "modelId"],
      [{ ...added("nobody/model", "1", "2") }, "modelId"],
      [{ modelId: "dev/echo", kind: "embedding" }, "kind"],
      [{ ...added(newId(), "1", "2"), prices: { input: "1.0000001", output: "2" } }, null],
    ];
    for (const [body, param] of cases) {
      const error = await expectError(await post(operator.cookie, body), 400);
      if (param) expect(error.param, JSON.stringify(body)).toBe(param);
    }
    expect(
      await countRows(
        "SELECT count(*) AS n FROM operator_audit WHERE action LIKE 'catalogue.%' AND target LIKE 'nobody/%'",
      ),
    ).toBe(0);
  });

  it("is for operators only", async () => {
    const user = await newKeyUser();
    await expectError(await post(user.cookie, added(newId(), "1", "2")), 403);
    await expectError(await call("/api/admin/catalogue", { cookie: user.cookie }), 403);
  });
});

describe("the request path", () => {
  it("reads the overrides from this isolate's memory, not D1, until they are re-read", async () => {
    const id = newId();
    await savedAgo(5 * MINUTE, added(id, "1", "2"));
    const { key } = await newKeyUser();
    // Another isolate's change, straight into D1: this isolate has not read it yet.
    await env.DB.prepare(
      "INSERT INTO catalogue_overrides (model_id, effective_at, created_at, disabled) VALUES (?, ?, ?, 1)",
    )
      .bind(id, Date.now() - MINUTE, Date.now() - 2 * MINUTE)
      .run();
    expect((await chat(key, id)).status).toBe(200);
    await reloadOverrides(env);
    await expectError(await chat(key, id), 404);
  });

  it("renews an expired read in the background; only a read older than the maximum age is awaited", async () => {
    const id = newId();
    await savedAgo(5 * MINUTE, added(id, "1", "2"));
    const readAt = Date.now();
    await env.DB.prepare(
      "INSERT INTO catalogue_overrides (model_id, effective_at, created_at, disabled) VALUES (?, ?, ?, 1)",
    )
      .bind(id, Date.now() - MINUTE, Date.now() - 2 * MINUTE)
      .run();
    const work: Promise<void>[] = [];
    const served = () => findModel(getConfig(env), id) !== undefined;
    // Within the TTL: nothing to do.
    expect(overridesReady(env, (p) => work.push(p), readAt + OVERRIDES_TTL_MS - 5_000)).toBeUndefined();
    expect(work).toHaveLength(0);
    // Past it: answered from memory at once, renewed in the background.
    expect(overridesReady(env, (p) => work.push(p), readAt + OVERRIDES_TTL_MS)).toBeUndefined();
    expect(work).toHaveLength(1);
    expect(served()).toBe(true);
    await Promise.all(work);
    expect(served()).toBe(false);
    // An isolate idle past the maximum age waits for its read.
    const waited = overridesReady(env, (p) => work.push(p), Date.now() + OVERRIDES_MAX_AGE_MS);
    expect(waited).toBeInstanceOf(Promise);
    await waited;
    expect(work).toHaveLength(1);
    // Every isolate has read a change before it applies.
    expect(OVERRIDE_LEAD_MS).toBeGreaterThan(OVERRIDES_MAX_AGE_MS);
  });

  it("never rewrites an override: the table is append-only", async () => {
    await savedAgo(5 * MINUTE, added(newId(), "1", "2"));
    await expect(env.DB.prepare("UPDATE catalogue_overrides SET price_input = '0'").run()).rejects.toThrow(
      /append-only/,
    );
    await expect(env.DB.prepare("DELETE FROM catalogue_overrides").run()).rejects.toThrow(/append-only/);
  });
});
