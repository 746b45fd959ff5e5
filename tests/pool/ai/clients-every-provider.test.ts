// The clients suite across provider kinds: the official OpenAI SDK (Chat Completions whole and streamed, and the
// Responses API) and the official Anthropic SDK (Messages whole and streamed), each pointed at the gateway, against
// one model of every provider kind the catalogue knows — OpenAI, Anthropic, Gemini, Azure OpenAI, Amazon Bedrock and
// an OpenAI-compatible provider configured by data alone — each answered by its own loopback fake. Every answer is
// parsed by the SDK itself (a shape it cannot read throws), a stream says what the whole answer says, and the
// usage each dialect reports is the provider's, non-zero.

import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import worker from "#worker/index";
import { v1 } from "../support/ai-helpers";
import { newKeyUser, ORIGIN } from "../support/helpers";

/** The Worker with every provider's fake configured (tests/fakes/index.ts keeps these apart from the defaults). */
const withProviders = { ...env, ...env.PROVIDER_VARS } as Env;
const fetchWithProviders = async (input: RequestInfo | URL, init?: RequestInit) =>
  await worker.fetch(new Request(input, init), withProviders, createExecutionContext());

const MODELS: [kind: string, model: string][] = [
  ["openai", "openai/gpt-4o-mini"],
  ["anthropic", "anthropic/claude-haiku-4-5"],
  ["gemini", "gemini/gemini-2.5-flash"],
  ["azure", "azure/gpt-4o-mini"],
  ["bedrock", "bedrock/nova-lite"],
  ["openai-compatible (groq)", "groq/llama-3.1-8b-instant"],
];

const openai = (key: string) =>
  new OpenAI({ apiKey: key, baseURL: v1, fetch: fetchWithProviders, maxRetries: 0 });
const anthropic = (key: string) =>
  new Anthropic({ apiKey: key, baseURL: ORIGIN, fetch: fetchWithProviders, maxRetries: 0 });

describe.each(MODELS)("%s (%s) through every dialect's official SDK", (_kind, model) => {
  it("OpenAI SDK: chat.completions whole and streamed say the same, with the provider's usage", async () => {
    const { key } = await newKeyUser();
    const client = openai(key);
    const messages = [{ role: "user" as const, content: "Say hello." }];
    const whole = await client.chat.completions.create({ model, messages, max_tokens: 64 });
    expect(whole.model).toBe(model);
    const text = whole.choices[0]!.message.content;
    expect(text).toEqual(expect.any(String));
    expect(text!.length).toBeGreaterThan(0);
    expect(whole.usage!.completion_tokens).toBeGreaterThan(0);
    expect(whole.usage!.prompt_tokens).toBeGreaterThan(0);

    const stream = await client.chat.completions.create({
      model,
      messages,
      max_tokens: 64,
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamed = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(streamed).toBe(text);
    expect(usage!.completion_tokens).toBe(whole.usage!.completion_tokens);
  });

  it("OpenAI SDK: responses.create answers with output_text and usage", async () => {
    const { key } = await newKeyUser();
    const response = await openai(key).responses.create({
      model,
      input: "Say hello.",
      max_output_tokens: 64,
    });
    expect(response.status).toBe("completed");
    expect(response.output_text.length).toBeGreaterThan(0);
    expect(response.usage!.output_tokens).toBeGreaterThan(0);
  });

  it("Anthropic SDK: messages whole and streamed say the same, with the provider's usage", async () => {
    const { key } = await newKeyUser();
    const client = anthropic(key);
    const params = { model, max_tokens: 64, messages: [{ role: "user" as const, content: "Say hello." }] };
    const whole = await client.messages.create(params);
    expect(whole.model).toBe(model);
    const text = whole.content.map((b) => (b.type === "text" ? b.text : "")).join("");
    expect(text.length).toBeGreaterThan(0);
    expect(whole.usage.output_tokens).toBeGreaterThan(0);
    expect(whole.usage.input_tokens).toBeGreaterThan(0);

    const final = await client.messages.stream(params).finalMessage();
    expect(final.content.map((b) => (b.type === "text" ? b.text : "")).join("")).toBe(text);
    expect(final.usage.output_tokens).toBe(whole.usage.output_tokens);
  });
});
