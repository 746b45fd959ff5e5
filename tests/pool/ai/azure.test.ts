// Azure OpenAI by configuration (catalogue.json `azure`: kind "azure", the api-version as a query, a deployment
// per model): deployment URLs, the `api-key` header, OpenAI's translations for both dialects and the Responses API,
// embeddings, metering and data-policy routing — against its loopback fake (tests/fakes/azure.ts).
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { micros } from "#worker/ai/catalogue/prices";
import { providerAvailable } from "#worker/ai/providers/registry";
import { getConfig } from "#worker/config";
import worker from "#worker/index";
import { FAKE_AZURE_KEY } from "../../fakes/azure";
import { marker, received, script, usageRows } from "../support/ai-helpers";
import { call, expectError, newKeyUser, ORIGIN } from "../support/helpers";

const withProviders = { ...env, ...env.PROVIDER_VARS } as Env;
const azureFake = () => env.PROVIDER_VARS.AZURE_OPENAI_BASE_URL!;

async function send(key: string, path: string, body: unknown): Promise<Response> {
  return await worker.fetch(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    withProviders,
    createExecutionContext(),
  );
}

const user = (text: string) => [{ role: "user", content: text }];

describe("Azure OpenAI", () => {
  it("calls the model's deployment URL with the api-version and api-key, no model in the body, metered exactly", async () => {
    const u = await newKeyUser();
    const m = marker("azure");
    const res = await send(u.key, "/v1/chat/completions", { model: "azure/gpt-4o-mini", messages: user(m) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      model: string;
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(body.model).toBe("azure/gpt-4o-mini");
    const [upstream] = await received(azureFake(), m);
    // The fake refuses any other api-version, so a 200 is the query sent.
    expect(upstream!.path).toBe("/openai/deployments/gpt-4o-mini/chat/completions");
    expect(upstream!.headers["api-key"]).toBe(FAKE_AZURE_KEY);
    expect(upstream!.headers.authorization).toBeUndefined();
    expect(JSON.parse(upstream!.body).model).toBeUndefined();
    const [row] = await usageRows(u.id, 1);
    expect(row).toMatchObject({ provider: "azure", model: "azure/gpt-4o-mini" });
    const exact = body.usage.prompt_tokens * micros("0.15") + body.usage.completion_tokens * micros("0.60");
    expect(row!.cost_micros).toBe(Math.ceil(exact / 1_000_000));
  });

  it("streams to an Anthropic client and calls a tool through the Responses API", async () => {
    const u = await newKeyUser();
    const res = await send(u.key, "/v1/messages", {
      model: "azure/gpt-4.1",
      max_tokens: 64,
      stream: true,
      messages: user(marker("azure-stream")),
    });
    const text = (await res.text())
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => JSON.parse(l.slice(6)))
      .filter((e) => e.type === "content_block_delta")
      .map((e) => e.delta.text)
      .join("");
    expect(text).toBe("Hello from the fake OpenAI provider.");
    const m = marker("azure-tool");
    await script(azureFake(), {
      match: m,
      toolCall: { id: "call_az", name: "weather", arguments: '{"city":"Oslo"}' },
    });
    const tool = await send(u.key, "/v1/responses", {
      model: "azure/gpt-4.1",
      input: m,
      tools: [{ type: "function", name: "weather", parameters: { type: "object" } }],
    });
    const body = (await tool.json()) as { output: { type: string; name?: string; arguments?: string }[] };
    expect(body.output.find((o) => o.type === "function_call")).toMatchObject({
      name: "weather",
      arguments: '{"city":"Oslo"}',
    });
    const [upstream] = await received(azureFake(), m);
    expect(upstream!.path).toBe("/openai/deployments/gpt-4.1/chat/completions");
    const rows = await usageRows(u.id, 2);
    expect(rows.map((r) => [r.provider, r.endpoint, r.estimated])).toEqual([
      ["azure", "messages", 0],
      ["azure", "responses", 0],
    ]);
  });

  it("embeds through the embeddings deployment", async () => {
    const u = await newKeyUser();
    const res = await send(u.key, "/v1/embeddings", {
      model: "azure/text-embedding-3-small",
      input: ["a", "b", "c"],
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(3);
    const [row] = await usageRows(u.id, 1);
    expect(row).toMatchObject({ provider: "azure", endpoint: "embeddings", input_tokens: 6 });
  });

  it("is offered only with both its endpoint and key, and EU only refuses it (us) with nothing sent", async () => {
    const keyOnly = { ...withProviders, AZURE_OPENAI_BASE_URL: "" } as Env;
    expect(providerAvailable(getConfig(keyOnly), "azure")).toBe(false);
    expect(providerAvailable(getConfig(withProviders), "azure")).toBe(true);
    const u = await newKeyUser();
    const set = await call("/api/settings/privacy", {
      method: "PUT",
      cookie: u.cookie,
      body: { dataPolicy: "eu_only" },
    });
    expect(set.status).toBe(200);
    const m = marker("azure-eu");
    const e = await expectError(
      await send(u.key, "/v1/chat/completions", { model: "azure/gpt-4.1", messages: user(m) }),
      403,
    );
    expect(e.code).toBe("data_policy_violation");
    expect(await received(azureFake(), m)).toHaveLength(0);
  });
});
