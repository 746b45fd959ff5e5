// The AI proxy through the official SDKs: models, chat (whole and streamed), embeddings, messages (whole and
// streamed), translation both ways, and what the providers receive (platform key, no customer identity).
import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import {
  anthropicFake,
  expectAnthropicError,
  marker,
  openaiFake,
  received,
  script,
  usageRows,
} from "../support/ai-helpers";
import { call, newKeyUser } from "../support/helpers";
import { anthropic, openai } from "../support/sdk-clients";

/** Nothing that identifies the customer may reach a provider. */
async function expectNoIdentity(fake: string, m: string, user: { key: string; email: string; id: string }) {
  const requests = await received(fake, m);
  expect(requests.length).toBeGreaterThan(0);
  const everything = JSON.stringify(requests);
  for (const secret of [user.key, user.email, user.id, "end-user-42"])
    expect(everything).not.toContain(secret);
  for (const r of requests) {
    for (const header of ["cookie", "x-forwarded-for", "cf-connecting-ip", "x-real-ip", "origin"]) {
      expect(r.headers[header]).toBeUndefined();
    }
  }
  return requests;
}

describe("OpenAI SDK", () => {
  it("lists the configured models as provider/model ids", async () => {
    const { key } = await newKeyUser();
    const ids: string[] = [];
    for await (const m of openai(key).models.list()) ids.push(m.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "openai/gpt-4o-mini",
        "openai/text-embedding-3-small",
        "anthropic/claude-haiku-4-5",
        "dev/echo",
      ]),
    );
  });

  it("completes a chat against the dev provider, labelled as such, and meters it", async () => {
    const { key, id } = await newKeyUser();
    const res = await openai(key).chat.completions.create({
      model: "dev/echo",
      messages: [{ role: "user", content: "ping" }],
    });
    expect(res.choices[0]!.message.content).toBe("[dev provider] You said: ping");
    expect(res.model).toBe("dev/echo");
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({ model: "dev/echo", provider: "dev", status: 200, streamed: 0, estimated: 0 });
  });

  it("streams from the dev provider", async () => {
    const { key } = await newKeyUser();
    const stream = await openai(key).chat.completions.create({
      model: "dev/echo",
      messages: [{ role: "user", content: "hello there" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("[dev provider] You said: hello there");
  });

  it("completes through the OpenAI provider with the platform key and no customer identity", async () => {
    const user = await newKeyUser();
    const m = marker();
    const res = await openai(user.key).chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: m }],
      user: "end-user-42",
    });
    expect(res.choices[0]!.message.content).toBe("Hello from the fake OpenAI provider.");
    const [upstream] = await expectNoIdentity(openaiFake(), m, user);
    expect(upstream!.headers.authorization).toBe("Bearer sk-platform-test");
    const sent = JSON.parse(upstream!.body);
    expect(sent.model).toBe("gpt-4o-mini");
    expect(sent.user).toBeUndefined();
    const [row] = await usageRows(user.id, 1);
    expect(row).toMatchObject({
      model: "openai/gpt-4o-mini",
      provider: "openai",
      key_id: user.keyId,
      input_tokens: res.usage!.prompt_tokens,
      output_tokens: res.usage!.completion_tokens,
      status: 200,
    });
    // gpt-4o-mini: $0.15 / $0.60 per million tokens, in micro-USD, rounded up.
    expect(row!.cost_micros).toBe(
      Math.ceil((res.usage!.prompt_tokens * 150_000 + res.usage!.completion_tokens * 600_000) / 1e6),
    );
  });

  it("streams through the OpenAI provider, always metering, hiding the usage chunk it was not asked for", async () => {
    const user = await newKeyUser();
    const m = marker();
    const stream = await openai(user.key).chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: m }],
      stream: true,
    });
    let text = "";
    let sawUsage = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toBe("Hello from the fake OpenAI provider.");
    expect(sawUsage).toBe(false);
    const [upstream] = await received(openaiFake(), m);
    expect(JSON.parse(upstream!.body).stream_options).toEqual({ include_usage: true });
    const [row] = await usageRows(user.id, 1);
    expect(row).toMatchObject({ streamed: 1, estimated: 0, status: 200, output_tokens: 6 });
  });

  it("passes the usage chunk on when the client asked for it", async () => {
    const { key } = await newKeyUser();
    const stream = await openai(key).chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: marker() }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) usage ??= chunk.usage;
    expect(usage?.completion_tokens).toBe(6);
  });

  it("creates embeddings", async () => {
    const { key, id } = await newKeyUser();
    const res = await openai(key).embeddings.create({
      model: "openai/text-embedding-3-small",
      input: ["a", "b"],
    });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]!.embedding).toHaveLength(3);
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({ endpoint: "embeddings", input_tokens: 4, output_tokens: 0 });
  });

  it("creates embeddings with the dev provider", async () => {
    const { key } = await newKeyUser();
    const res = await openai(key).embeddings.create({ model: "dev/embed", input: "hello" });
    expect(res.data[0]!.embedding).toHaveLength(8);
  });
});

describe("Anthropic SDK", () => {
  it("creates a message through the Anthropic provider with the platform key", async () => {
    const user = await newKeyUser();
    const m = marker();
    const msg = await anthropic(user.key).messages.create({
      model: "anthropic/claude-3-5-haiku-latest",
      max_tokens: 100,
      system: "Be brief.",
      messages: [{ role: "user", content: m }],
      metadata: { user_id: "end-user-42" },
    });
    expect(msg.content[0]).toEqual({ type: "text", text: "Hello from the fake Anthropic provider." });
    const [upstream] = await expectNoIdentity(anthropicFake(), m, user);
    expect(upstream!.headers["x-api-key"]).toBe("sk-ant-platform-test");
    expect(upstream!.headers["anthropic-version"]).toBe("2023-06-01");
    const sent = JSON.parse(upstream!.body);
    expect(sent.model).toBe("claude-haiku-4-5"); // the retired id is an alias of its successor
    expect(sent.metadata).toBeUndefined();
    const [row] = await usageRows(user.id, 1);
    expect(row).toMatchObject({
      endpoint: "messages",
      provider: "anthropic",
      input_tokens: msg.usage.input_tokens,
      output_tokens: msg.usage.output_tokens,
    });
  });

  it("streams a message through the Anthropic provider", async () => {
    const { key, id } = await newKeyUser();
    const stream = anthropic(key).messages.stream({
      model: "anthropic/claude-3-5-haiku-latest",
      max_tokens: 100,
      messages: [{ role: "user", content: marker() }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ text: "Hello from the fake Anthropic provider." });
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({ streamed: 1, estimated: 0, output_tokens: 6 });
  });
});

describe("translation", () => {
  it("OpenAI request → Anthropic model: system to the top level, max_tokens defaulted, answer mapped back", async () => {
    const user = await newKeyUser();
    const m = marker();
    const res = await openai(user.key).chat.completions.create({
      model: "anthropic/claude-3-5-haiku-latest",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: m },
      ],
      stop: "END",
      temperature: 0.5,
    });
    expect(res.choices[0]!.message.content).toBe("Hello from the fake Anthropic provider.");
    expect(res.choices[0]!.finish_reason).toBe("stop");
    expect(res.model).toBe("anthropic/claude-3-5-haiku-latest");
    const [upstream] = await expectNoIdentity(anthropicFake(), m, user);
    const sent = JSON.parse(upstream!.body);
    expect(sent).toMatchObject({
      model: "claude-haiku-4-5",
      system: "You are terse.",
      max_tokens: 4096,
      stop_sequences: ["END"],
      temperature: 0.5,
    });
    expect(sent.messages).toEqual([{ role: "user", content: m }]);
    const [row] = await usageRows(user.id, 1);
    expect(row).toMatchObject({
      input_tokens: res.usage!.prompt_tokens,
      output_tokens: res.usage!.completion_tokens,
    });
  });

  it("OpenAI stream → Anthropic model: events become chunks, usage counted", async () => {
    const { key, id } = await newKeyUser();
    const stream = await openai(key).chat.completions.create({
      model: "anthropic/claude-3-5-haiku-latest",
      messages: [{ role: "user", content: marker() }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish ??= chunk.choices[0]?.finish_reason;
      usage ??= chunk.usage;
    }
    expect(text).toBe("Hello from the fake Anthropic provider.");
    expect(finish).toBe("stop");
    expect(usage?.completion_tokens).toBe(6);
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({ streamed: 1, output_tokens: 6, estimated: 0 });
  });

  it("OpenAI tools → Anthropic tools and back as tool_calls", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    await script(anthropicFake(), {
      match: m,
      toolCall: { id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
    });
    const res = await openai(key).chat.completions.create({
      model: "anthropic/claude-3-5-haiku-latest",
      messages: [{ role: "user", content: m }],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            parameters: { type: "object", properties: { city: { type: "string" } } },
          },
        },
      ],
      tool_choice: "required",
    });
    expect(res.choices[0]!.finish_reason).toBe("tool_calls");
    expect(res.choices[0]!.message.tool_calls).toEqual([
      { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
    ]);
    const [upstream] = await received(anthropicFake(), m);
    const sent = JSON.parse(upstream!.body);
    expect(sent.tools[0]).toMatchObject({ name: "get_weather", input_schema: { type: "object" } });
    expect(sent.tool_choice).toEqual({ type: "any" });
  });

  it("OpenAI images → Anthropic image blocks", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    await openai(key).chat.completions.create({
      model: "anthropic/claude-3-5-haiku-latest",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: m },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          ],
        },
      ],
    });
    const [upstream] = await received(anthropicFake(), m);
    expect(JSON.parse(upstream!.body).messages[0].content[1]).toEqual({
      type: "image",
      source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" },
    });
  });

  it("Anthropic request → OpenAI model: system becomes a message, answer comes back as a message", async () => {
    const user = await newKeyUser();
    const m = marker();
    const msg = await anthropic(user.key).messages.create({
      model: "openai/gpt-4o-mini",
      max_tokens: 50,
      system: "Be brief.",
      messages: [{ role: "user", content: m }],
      stop_sequences: ["END"],
    });
    expect(msg.content).toEqual([{ type: "text", text: "Hello from the fake OpenAI provider." }]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.output_tokens).toBe(6);
    const [upstream] = await expectNoIdentity(openaiFake(), m, user);
    const sent = JSON.parse(upstream!.body);
    expect(sent.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: m },
    ]);
    expect(sent).toMatchObject({ model: "gpt-4o-mini", max_tokens: 50, stop: ["END"] });
  });

  it("Anthropic stream → OpenAI model: chunks become message events", async () => {
    const { key, id } = await newKeyUser();
    const stream = anthropic(key).messages.stream({
      model: "openai/gpt-4o-mini",
      max_tokens: 50,
      messages: [{ role: "user", content: marker() }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text", text: "Hello from the fake OpenAI provider." });
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBe(6);
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({ streamed: 1, output_tokens: 6, estimated: 0, provider: "openai" });
  });

  it("Anthropic tool_use/tool_result ↔ OpenAI tool calls and tool messages", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    await script(openaiFake(), {
      match: m,
      toolCall: { id: "call_1", name: "lookup", arguments: '{"q":"x"}' },
    });
    const msg = await anthropic(key).messages.create({
      model: "openai/gpt-4o-mini",
      max_tokens: 50,
      tools: [{ name: "lookup", input_schema: { type: "object", properties: { q: { type: "string" } } } }],
      messages: [
        { role: "user", content: m },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "call_0", name: "lookup", input: { q: "a" } }],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "call_0", content: "42" }] },
      ],
    });
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content).toEqual([{ type: "tool_use", id: "call_1", name: "lookup", input: { q: "x" } }]);
    const [upstream] = await received(openaiFake(), m);
    const sent = JSON.parse(upstream!.body);
    expect(sent.messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_0", type: "function", function: { name: "lookup", arguments: '{"q":"a"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_0", content: "42" },
    ]);
    expect(sent.tools[0]).toMatchObject({ type: "function", function: { name: "lookup" } });
  });

  it("refuses what cannot be translated with a clear 400, sending nothing", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    const client = openai(key);
    await expect(
      client.chat.completions.create({
        model: "anthropic/claude-3-5-haiku-latest",
        messages: [{ role: "user", content: m }],
        logprobs: true,
      }),
    ).rejects.toMatchObject({ status: 400, param: "logprobs", code: "untranslatable_parameter" });
    await expect(
      client.chat.completions.create({
        model: "anthropic/claude-3-5-haiku-latest",
        messages: [{ role: "user", content: m }],
        n: 2,
      }),
    ).rejects.toMatchObject({ status: 400, param: "n" });
    const e = await expectAnthropicError(
      await call("/v1/messages", {
        key,
        body: {
          model: "openai/gpt-4o-mini",
          max_tokens: 10,
          top_k: 5,
          messages: [{ role: "user", content: m }],
        },
      }),
      400,
    );
    expect(e).toMatchObject({ param: "top_k", code: "untranslatable_parameter" });
    expect(await received(anthropicFake(), m)).toHaveLength(0);
    expect(await received(openaiFake(), m)).toHaveLength(0);
  });
});
