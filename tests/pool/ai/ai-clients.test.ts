// The Vercel AI SDK and LangChain against the gateway, in the Workers runtime: the AI SDK's default openai()
// provider (which calls /v1/responses) for text, streams and tools; its Anthropic provider reading our error
// messages; generateObject and LangChain's withStructuredOutput to an Anthropic model over the OpenAI shape.
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { ChatAnthropic } from "@langchain/anthropic";
import { ChatOpenAI } from "@langchain/openai";
import { generateObject, generateText, jsonSchema, streamText, tool } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  anthropicFake,
  marker,
  openaiFake,
  received,
  script,
  usageRows,
  v1,
  workerFetch,
} from "../support/ai-helpers";
import { newKeyUser, ORIGIN } from "../support/helpers";

const aiOpenAI = (key: string) => createOpenAI({ apiKey: key, baseURL: v1, fetch: workerFetch });
const aiAnthropic = (key: string) => createAnthropic({ apiKey: key, baseURL: v1, fetch: workerFetch });

describe("Vercel AI SDK", () => {
  it("openai(model) calls /v1/responses: text through the OpenAI provider, metered", async () => {
    const { key, id } = await newKeyUser();
    const m = marker();
    const result = await generateText({
      model: aiOpenAI(key)("openai/gpt-4o-mini"),
      prompt: m,
      maxRetries: 0,
    });
    expect(result.text).toBe("Hello from the fake OpenAI provider.");
    const [upstream] = await received(openaiFake(), m);
    expect(upstream!.path).toBe("/v1/responses");
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({
      endpoint: "responses",
      status: 200,
      output_tokens: result.usage.outputTokens,
    });
  });

  it("openai(model) streams from an Anthropic model through the Responses translation", async () => {
    const { key } = await newKeyUser();
    const result = streamText({
      model: aiOpenAI(key)("anthropic/claude-3-5-haiku-latest"),
      prompt: marker(),
      maxRetries: 0,
    });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe("Hello from the fake Anthropic provider.");
    expect((await result.usage).outputTokens).toBe(6);
  });

  it("openai(model) calls a tool on an Anthropic model and sends its result back", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    await script(anthropicFake(), {
      match: m,
      toolCall: { id: "toolu_ai", name: "weather", arguments: '{"city":"Oslo"}' },
    });
    const result = await generateText({
      model: aiOpenAI(key)("anthropic/claude-3-5-haiku-latest"),
      prompt: m,
      maxRetries: 0,
      tools: {
        weather: tool({
          description: "Weather for a city",
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => `Cold in ${city}`,
        }),
      },
      stopWhen: ({ steps }) => steps.length >= 2,
    });
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({ toolName: "weather", input: { city: "Oslo" } });
    expect(result.text).toBe("Hello from the fake Anthropic provider.");
    const turns = await received(anthropicFake(), m);
    expect(turns).toHaveLength(2);
    expect(JSON.parse(turns[1]!.body).messages.at(-1).content[0]).toMatchObject({
      type: "tool_result",
      tool_use_id: "toolu_ai",
      content: expect.stringContaining("Cold in Oslo"),
    });
  });

  it("generateObject to an Anthropic model gets the JSON it asked for", async () => {
    const { key } = await newKeyUser();
    const { object } = await generateObject({
      model: aiOpenAI(key)("anthropic/claude-3-5-haiku-latest"),
      schema: jsonSchema<{ city: string; population: number }>({
        type: "object",
        properties: { city: { type: "string" }, population: { type: "number" } },
        required: ["city", "population"],
        additionalProperties: false,
      }),
      prompt: marker(),
      maxRetries: 0,
    });
    expect(object).toEqual({ city: "sample", population: 42 });
  });

  it("the Anthropic provider shows our error messages, not just the status text", async () => {
    const bad = createAnthropic({ apiKey: "bm_nope", baseURL: v1, fetch: workerFetch });
    const error = (await generateText({ model: bad("dev/echo"), prompt: "hi", maxRetries: 0 }).catch(
      (e: unknown) => e,
    )) as Error & { statusCode?: number };
    expect(error.message).toBe("Invalid API key.");
    expect(error.statusCode).toBe(401);
    const { key } = await newKeyUser();
    const missing = (await generateText({
      model: aiAnthropic(key)("nope/model"),
      prompt: "hi",
      maxRetries: 0,
    }).catch((e: unknown) => e)) as Error;
    expect(missing.message).toMatch(/does not exist or is not available here/);
  });
});

describe("LangChain", () => {
  it("ChatOpenAI.withStructuredOutput to an Anthropic model returns the parsed object", async () => {
    const { key } = await newKeyUser();
    const model = new ChatOpenAI({
      model: "anthropic/claude-3-5-haiku-latest",
      apiKey: key,
      maxRetries: 0,
      configuration: { baseURL: v1, fetch: workerFetch },
    });
    const structured = model.withStructuredOutput(z.object({ city: z.string(), population: z.number() }), {
      name: "city",
    });
    expect(await structured.invoke(marker())).toEqual({ city: "sample", population: 42 });
  });

  it("ChatAnthropic streaming from an OpenAI model reports the provider's input tokens", async () => {
    const { key, id } = await newKeyUser();
    const model = new ChatAnthropic({
      model: "openai/gpt-4o-mini",
      apiKey: key,
      maxRetries: 0,
      streaming: true,
      clientOptions: { baseURL: ORIGIN, fetch: workerFetch },
    });
    const answer = await model.invoke(marker());
    expect(answer.content).toBe("Hello from the fake OpenAI provider.");
    // LangChain takes input tokens from message_start alone: the tokenizer's count, the provider's own.
    const [row] = await usageRows(id, 1);
    expect(row!.estimated).toBe(0);
    expect(answer.usage_metadata?.input_tokens).toBe(row!.input_tokens);
    expect(answer.usage_metadata?.output_tokens).toBe(row!.output_tokens);
  });
});
