// Real prices: cached input and cache writes are billed at their own catalogue prices, from each provider's
// usage fields, whichever dialect the client speaks, whole or streamed — and told to the client in its dialect.
import { describe, expect, it } from "vitest";
import * as usagePage from "../../../app/routes/dashboard/usage";
import { anthropicFake, marker, openaiFake, script, usageRows } from "../support/ai-helpers";
import { call, newKeyUser } from "../support/helpers";
import { settle } from "../support/privacy-drive";
import { args, page } from "../support/route-calls";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
type Json = Record<string, any>;

/** The usage object of a whole answer, or of a stream (the OpenAI usage chunk / Anthropic message_delta). */
async function clientUsage(res: Response, streamed: boolean): Promise<Json> {
  if (!streamed) return ((await res.json()) as Json).usage;
  const events = (await res.text())
    .split("\n")
    .filter((l) => l.startsWith("data: ") && l !== "data: [DONE]")
    .map((l) => JSON.parse(l.slice(6)) as Json);
  // Anthropic's stream counts input in message_start and output (sometimes everything) in message_delta.
  const start = events.find((e) => e.type === "message_start")?.message?.usage ?? {};
  return { ...start, ...events.filter((e) => e.usage).at(-1)!.usage };
}

const cases = [
  // OpenAI gpt-4o-mini: $0.15 input, $0.075 cached, $0.60 output per 1M; 9,000 of the prompt read from cache.
  { provider: "openai", model: "openai/gpt-4o-mini", fake: openaiFake, cache: { read: 9_000 } },
  // Anthropic Sonnet 4.5: $3 input, $0.30 cache read, $3.75 cache write, $15 output per 1M.
  {
    provider: "anthropic",
    model: "anthropic/claude-sonnet-4-5",
    fake: anthropicFake,
    cache: { read: 9_000, write: 4_000 },
  },
] as const;

describe.each(cases)("$model with its prompt cache", ({ provider, model, fake, cache }) => {
  describe.each([
    ["OpenAI", "/v1/chat/completions"],
    ["Anthropic", "/v1/messages"],
  ] as const)("through the %s dialect", (dialect, path) => {
    it.each([false, true])(
      "streamed: %s — each token class at its price, told in the client's dialect",
      async (stream) => {
        const { key, id } = await newKeyUser();
        const m = marker();
        await script(fake(), { match: m, cache, reply: "one two three" });
        const res = await call(path, {
          key,
          body: {
            model,
            max_tokens: 50,
            messages: [{ role: "user", content: m }],
            ...(stream
              ? { stream: true, ...(dialect === "OpenAI" ? { stream_options: { include_usage: true } } : {}) }
              : {}),
          },
        });
        expect(res.status).toBe(200);
        const usage = await clientUsage(res, stream);
        const [row] = await usageRows(id, 1);
        const written = "write" in cache ? cache.write : 0;
        const uncached = row!.input_tokens - cache.read - written;
        expect(row).toMatchObject({ output_tokens: 3 });
        expect(uncached).toBeGreaterThan(0);
        const perM =
          provider === "openai"
            ? { input: 0.15, read: 0.075, write: 0, output: 0.6 }
            : { input: 3, read: 0.3, write: 3.75, output: 15 };
        const micros =
          uncached * perM.input + cache.read * perM.read + written * perM.write + 3 * perM.output;
        expect(row!.cost_micros).toBe(Math.ceil(micros - 1e-9));
        // Far below what the same tokens cost uncached.
        expect(row!.cost_micros).toBeLessThan((row!.input_tokens * perM.input + 3 * perM.output) / 1.5);
        if (dialect === "OpenAI") {
          expect(usage).toMatchObject({
            prompt_tokens: row!.input_tokens,
            prompt_tokens_details: { cached_tokens: cache.read },
          });
        } else {
          expect(usage).toMatchObject({
            input_tokens: uncached,
            cache_read_input_tokens: cache.read,
            cache_creation_input_tokens: written,
          });
        }
      },
    );
  });
});

describe("cached tokens are shown wherever the request's tokens are", () => {
  it("the request log (list, detail, CSV), the usage sums (raw and aggregated), the usage page and the export", async () => {
    const { key, id, cookie } = await newKeyUser();
    const m = marker();
    await script(anthropicFake(), { match: m, cache: { read: 9_000, write: 4_000 }, reply: "one two three" });
    const res = await call("/v1/messages", {
      key,
      body: {
        model: "anthropic/claude-sonnet-4-5",
        max_tokens: 50,
        messages: [{ role: "user", content: m }],
      },
    });
    expect(res.status).toBe(200);
    const [row] = await usageRows(id, 1);
    const cached = { cachedInputTokens: 9_000, cacheWriteTokens: 4_000 };
    const detail = (await (await call(`/api/requests/${row!.id}`, { cookie })).json()) as Json;
    expect(detail).toMatchObject({ ...cached, inputTokens: row!.input_tokens });
    const list = (await (await call("/api/requests", { cookie })).json()) as Json;
    expect(list.data[0]).toMatchObject(cached);
    const [header, line] = (await (await call("/api/requests?format=csv", { cookie })).text())
      .trim()
      .split("\n");
    const cells = Object.fromEntries(header!.split(",").map((h, i) => [h, line!.split(",")[i]]));
    expect(cells).toMatchObject({ cachedInputTokens: "9000", cacheWriteTokens: "4000" });
    // The last hour reads the raw rows; the default 30 days the hourly aggregates (after the flush).
    const from = new Date(Date.now() - 3_600_000).toISOString();
    for (const query of [`?groupBy=model&from=${from}`, "?groupBy=model"]) {
      const usage = (await (await call(`/api/usage${query}`, { cookie })).json()) as Json;
      expect(usage.rows, query).toEqual([expect.objectContaining(cached)]);
    }
    // The usage page: its model table and its hourly series.
    const shown = (await usagePage.loader(args(page("/dashboard/usage?range=24h", cookie)))) as Json;
    expect(shown.byModel).toEqual([expect.objectContaining(cached)]);
    expect(shown.series.filter((b: Json) => b.requests > 0)).toEqual([expect.objectContaining(cached)]);
    // The export: the request's row, and the hour's aggregate.
    const created = await call("/api/privacy/requests", { body: { type: "access" }, cookie });
    const { id: exportId } = (await created.json()) as { id: string };
    expect(await settle(id, exportId)).toBe("completed");
    const doc = (await (await call(`/api/privacy/requests/${exportId}/export`, { cookie })).json()) as Json;
    // (The export names fields as their columns are named.)
    const exported = { cached_input_tokens: 9_000, cache_write_tokens: 4_000 };
    expect(doc.data.usage).toEqual([expect.objectContaining({ id: row!.id, ...exported })]);
    expect(doc.data.usage_hourly).toEqual([expect.objectContaining(exported)]);
  });
});
