// Providers as data: an OpenAI-compatible provider (Groq, Mistral, DeepSeek, Together, Fireworks, xAI, OpenRouter,
// Ollama, vLLM, LM Studio) is a catalogue entry — base URL, key secret, extra headers, operations — and nothing
// else. Here they are pointed at the fake OpenAI-compatible server (tests/fakes/index.ts providerVars) and called
// through both dialects and the Responses API; metering, data-policy routing, BYOK and the upstream-URL rule hold.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { micros } from "#worker/ai/catalogue/prices";
import { providerAvailable } from "#worker/ai/providers/registry";
import { getConfig } from "#worker/config";
import worker from "#worker/index";
import { FAKE_COMPATIBLE_KEY, FAKE_CUSTOMER_OPENAI_KEY } from "../../fakes/openai";
import { marker, openaiFake, received, script, usageRows } from "../support/ai-helpers";
import { expectConsoleError } from "../support/console-errors";
import { call, expectError, newKeyUser, ORIGIN, PASSWORD } from "../support/helpers";

/** The Worker's environment with the data-configured providers' settings added (their fakes). */
const withProviders = { ...env, ...env.PROVIDER_VARS } as Env;

async function send(
  key: string,
  path: string,
  body: unknown,
  target: Env = withProviders,
): Promise<Response> {
  return await worker.fetch(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    target,
    createExecutionContext(),
  );
}

const user = (text: string) => [{ role: "user", content: text }];

/** Parsed `data:` lines of an SSE body (without [DONE]). */
async function events(res: Response) {
  const text = await res.text();
  return text
    .split("\n")
    .filter((l) => l.startsWith("data: ") && l !== "data: [DONE]")
    .map((l) => JSON.parse(l.slice(6)));
}

describe("an OpenAI-compatible provider configured by data", () => {
  it("answers chat for its model with its own key and upstream name, metered at its catalogue prices", async () => {
    const u = await newKeyUser();
    const m = marker("groq");
    const res = await send(u.key, "/v1/chat/completions", {
      model: "groq/llama-3.3-70b-versatile",
      messages: user(m),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      model: string;
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(body.model).toBe("groq/llama-3.3-70b-versatile");
    const [upstream] = await received(openaiFake(), m);
    expect(upstream!.path).toBe("/v1/chat/completions");
    expect(upstream!.headers.authorization).toBe(`Bearer ${FAKE_COMPATIBLE_KEY}`);
    expect(JSON.parse(upstream!.body).model).toBe("llama-3.3-70b-versatile");
    const [row] = await usageRows(u.id, 1);
    expect(row).toMatchObject({ provider: "groq", model: "groq/llama-3.3-70b-versatile", status: 200 });
    expect(row!.input_tokens).toBe(body.usage.prompt_tokens);
    expect(row!.output_tokens).toBe(body.usage.completion_tokens);
    const exact = body.usage.prompt_tokens * micros("0.59") + body.usage.completion_tokens * micros("0.79");
    expect(row!.cost_micros).toBe(Math.ceil(exact / 1_000_000));
  });

  it("streams to an Anthropic-dialect client (Messages → Chat Completions), usage from the provider", async () => {
    const u = await newKeyUser();
    const m = marker("mistral-stream");
    const res = await send(u.key, "/v1/messages", {
      model: "mistral/mistral-small-latest",
      max_tokens: 100,
      stream: true,
      messages: user(m),
    });
    expect(res.status).toBe(200);
    const evs = await events(res);
    const text = evs
      .filter((e) => e.type === "content_block_delta")
      .map((e) => e.delta.text)
      .join("");
    expect(text).toBe("Hello from the fake OpenAI provider.");
    const [upstream] = await received(openaiFake(), m);
    const sent = JSON.parse(upstream!.body);
    expect(sent).toMatchObject({ model: "mistral-small-latest", stream: true });
    const [row] = await usageRows(u.id, 1);
    expect(row).toMatchObject({ provider: "mistral", streamed: 1, estimated: 0, output_tokens: 6 });
  });

  it("calls a tool through the Anthropic dialect and answers tool_use", async () => {
    const u = await newKeyUser();
    const m = marker("deepseek-tool");
    await script(openaiFake(), {
      match: m,
      toolCall: { id: "call_ds", name: "weather", arguments: '{"city":"Oslo"}' },
    });
    const res = await send(u.key, "/v1/messages", {
      model: "deepseek/deepseek-chat",
      max_tokens: 100,
      messages: user(m),
      tools: [
        { name: "weather", input_schema: { type: "object", properties: { city: { type: "string" } } } },
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { stop_reason: string; content: { type: string; input?: unknown }[] };
    expect(body.stop_reason).toBe("tool_use");
    expect(body.content.find((c) => c.type === "tool_use")).toMatchObject({ input: { city: "Oslo" } });
    const [upstream] = await received(openaiFake(), m);
    expect(JSON.parse(upstream!.body).tools[0].function.name).toBe("weather");
  });

  it("answers the Responses API through chat for a provider without /responses, and passes it to one with it", async () => {
    const u = await newKeyUser();
    const viaChat = marker("together-responses");
    const a = await send(u.key, "/v1/responses", {
      model: "together/llama-3.3-70b-instruct-turbo",
      input: viaChat,
    });
    expect(a.status).toBe(200);
    expect(((await a.json()) as { output_text?: string; output: unknown[] }).output).toHaveLength(1);
    const [chatCall] = await received(openaiFake(), viaChat);
    expect(chatCall!.path).toBe("/v1/chat/completions");
    expect(JSON.parse(chatCall!.body).model).toBe("meta-llama/Llama-3.3-70B-Instruct-Turbo");
    const direct = marker("xai-responses");
    const b = await send(u.key, "/v1/responses", { model: "xai/grok-4.3", input: direct, stream: true });
    expect(b.status).toBe(200);
    expect((await events(b)).at(-1).type).toBe("response.completed");
    const [responsesCall] = await received(openaiFake(), direct);
    expect(responsesCall!.path).toBe("/v1/responses");
    const rows = await usageRows(u.id, 2);
    expect(rows.map((r) => [r.provider, r.endpoint])).toEqual([
      ["together", "responses"],
      ["xai", "responses"],
    ]);
  });

  it("embeds where the entry lists embeddings, and refuses embeddings where it does not", async () => {
    const u = await newKeyUser();
    const res = await send(u.key, "/v1/embeddings", { model: "mistral/mistral-embed", input: ["a", "b"] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(2);
    const [row] = await usageRows(u.id, 1);
    expect(row).toMatchObject({ provider: "mistral", endpoint: "embeddings", input_tokens: 4 });
    const chatOnly = await send(u.key, "/v1/embeddings", { model: "groq/llama-3.1-8b-instant", input: "a" });
    await expectError(chatOnly, 400);
  });

  it("sends the entry's extra headers (OpenRouter) and a local server's placeholder key (Ollama, no key set)", async () => {
    const u = await newKeyUser();
    const a = marker("openrouter");
    expect(
      (await send(u.key, "/v1/chat/completions", { model: "openrouter/gpt-4o-mini", messages: user(a) }))
        .status,
    ).toBe(200);
    const [routed] = await received(openaiFake(), a);
    expect(routed!.headers).toMatchObject({ "http-referer": "https://botmara.com", "x-title": "Botmara" });
    expect(JSON.parse(routed!.body).model).toBe("openai/gpt-4o-mini");
    const b = marker("ollama");
    expect(
      (await send(u.key, "/v1/chat/completions", { model: "ollama/llama3.2", messages: user(b) })).status,
    ).toBe(200);
    const [local] = await received(openaiFake(), b);
    expect(local!.headers.authorization).toBe("Bearer local-model-server");
  });

  it("is not offered unless its key is configured", async () => {
    const u = await newKeyUser();
    expect(providerAvailable(getConfig(env), "groq")).toBe(false);
    expect(providerAvailable(getConfig(withProviders), "groq")).toBe(true);
    const without = await send(
      u.key,
      "/v1/chat/completions",
      { model: "groq/llama-3.1-8b-instant", messages: user("x") },
      env,
    );
    expect((await expectError(without, 404)).code).toBe("model_not_found");
    const list = (await (await call("/v1/models", { key: u.key })).json()) as { data: { id: string }[] };
    expect(list.data.some((m) => m.id.startsWith("groq/"))).toBe(false);
    const res = await worker.fetch(
      new Request(`${ORIGIN}/v1/models`, { headers: { authorization: `Bearer ${u.key}` } }),
      withProviders,
      createExecutionContext(),
    );
    const listed = ((await res.json()) as { data: { id: string; data_policy: { regions: string[] } }[] })
      .data;
    expect(listed.find((m) => m.id === "mistral/mistral-large-latest")?.data_policy.regions).toEqual(["eu"]);
  });

  it("keeps the upstream-URL rule: plain http off loopback is refused, naming the provider's setting", async () => {
    const u = await newKeyUser();
    const insecure = { ...withProviders, GROQ_BASE_URL: "http://api.groq.example/openai/v1" } as Env;
    expectConsoleError(/insecure_upstream/);
    const res = await send(
      u.key,
      "/v1/chat/completions",
      { model: "groq/llama-3.1-8b-instant", messages: user("x") },
      insecure,
    );
    const e = await expectError(res, 503);
    expect(e.code).toBe("insecure_upstream");
    expect(e.message).toContain("GROQ_BASE_URL");
  });
});

describe("data-policy routing over the data-configured providers", () => {
  const policy = (u: Awaited<ReturnType<typeof newKeyUser>>, dataPolicy: string) =>
    call("/api/settings/privacy", { method: "PUT", cookie: u.cookie, body: { dataPolicy } });

  it("EU only sends to Mistral (eu) and refuses Groq (us) with nothing sent", async () => {
    const u = await newKeyUser();
    expect((await policy(u, "eu_only")).status).toBe(200);
    const ok = marker("eu-ok");
    expect(
      (
        await send(u.key, "/v1/chat/completions", {
          model: "mistral/mistral-large-latest",
          messages: user(ok),
        })
      ).status,
    ).toBe(200);
    const no = marker("eu-no");
    const e = await expectError(
      await send(u.key, "/v1/chat/completions", {
        model: "groq/llama-3.3-70b-versatile",
        messages: user(no),
      }),
      403,
    );
    expect(e.code).toBe("data_policy_violation");
    expect(await received(openaiFake(), no)).toHaveLength(0);
  });

  it("drops a fallback the policy forbids: EU only never retries Mistral's failure on Groq; any does", async () => {
    const chained = {
      ...withProviders,
      AI_FALLBACKS: "mistral/mistral-small-latest=groq/llama-3.1-8b-instant",
    } as Env;
    const ask = (key: string, text: string) =>
      send(
        key,
        "/v1/chat/completions",
        { model: "mistral/mistral-small-latest", messages: user(text) },
        chained,
      );
    const sentModels = async (m: string) =>
      (await received(openaiFake(), m)).map((r) => JSON.parse(r.body).model as string);
    // Mistral fails every attempt (AI_MAX_RETRIES 2: three), then the fallback is unscripted and answers.
    const u = await newKeyUser();
    const open = marker("fallback-any");
    await script(openaiFake(), { match: open, status: 503, times: 3 });
    expect((await ask(u.key, open)).status).toBe(200);
    expect(await sentModels(open)).toEqual([
      ...Array(3).fill("mistral-small-latest"),
      "llama-3.1-8b-instant",
    ]);
    expect((await policy(u, "eu_only")).status).toBe(200);
    const closed = marker("fallback-eu");
    await script(openaiFake(), { match: closed, status: 503, times: 3 });
    expectConsoleError(/request failed/);
    expect((await ask(u.key, closed)).status).toBeGreaterThanOrEqual(500);
    expect(await sentModels(closed)).toEqual(Array(3).fill("mistral-small-latest"));
  });

  it("no training refuses DeepSeek; zero retention allows Together and a local server, refuses xAI", async () => {
    const u = await newKeyUser();
    expect((await policy(u, "no_training")).status).toBe(200);
    const ds = await send(u.key, "/v1/chat/completions", {
      model: "deepseek/deepseek-chat",
      messages: user("x"),
    });
    expect((await expectError(ds, 403)).code).toBe("data_policy_violation");
    expect((await policy(u, "zero_retention")).status).toBe(200);
    const together = await send(u.key, "/v1/chat/completions", {
      model: "together/llama-3.3-70b-instruct-turbo",
      messages: user(marker("zdr")),
    });
    expect(together.status).toBe(200);
    const local = await send(u.key, "/v1/chat/completions", {
      model: "ollama/llama3.2",
      messages: user(marker("zdr-local")),
    });
    expect(local.status).toBe(200);
    const xai = await send(u.key, "/v1/chat/completions", { model: "xai/grok-4", messages: user("x") });
    expect((await expectError(xai, 403)).code).toBe("data_policy_violation");
  });
});

describe("bring your own key for a data-configured provider", () => {
  it("stores a key under the provider's id and sends it instead of the platform's", async () => {
    const u = await newKeyUser();
    const put = await call("/api/provider-keys/groq", {
      method: "PUT",
      cookie: u.cookie,
      body: { key: FAKE_CUSTOMER_OPENAI_KEY, password: PASSWORD },
    });
    expect(put.status).toBe(200);
    const m = marker("byok-groq");
    const res = await send(u.key, "/v1/chat/completions", {
      model: "groq/llama-3.3-70b-versatile",
      messages: user(m),
    });
    expect(res.status).toBe(200);
    const [upstream] = await received(openaiFake(), m);
    expect(upstream!.headers.authorization).toBe(`Bearer ${FAKE_CUSTOMER_OPENAI_KEY}`);
    // A local server has no public endpoint: no key can be stored for it.
    const local = await call("/api/provider-keys/ollama", {
      method: "PUT",
      cookie: u.cookie,
      body: { key: FAKE_CUSTOMER_OPENAI_KEY, password: PASSWORD },
    });
    await expectError(local, 400);
  });
});
