// The OpenAI Agents SDK (@openai/agents) against the gateway, in the Workers runtime: an agent with a function tool
// and a structured outputType, streamed, on an OpenAI model (Responses passed through), an Anthropic model
// (translated to Messages) and the dev provider (through Messages to its chat API). It always sends
// `include: []`, which a translation used to refuse.
import { Agent, run, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled, tool } from "@openai/agents";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { anthropicFake, marker, openaiFake, received, script, v1, workerFetch } from "../support/ai-helpers";
import { newKeyUser } from "../support/helpers";

setTracingDisabled(true);
setOpenAIAPI("responses");

const Forecast = z.object({ city: z.string(), temperature: z.number() });

async function runAgent(key: string, model: string, prompt: string) {
  setDefaultOpenAIClient(new OpenAI({ apiKey: key, baseURL: v1, fetch: workerFetch, maxRetries: 0 }));
  const calls: string[] = [];
  const weather = tool({
    name: "weather",
    description: "The temperature in a city",
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      calls.push(city);
      return `It is 21 degrees in ${city}.`;
    },
  });
  const agent = new Agent({
    name: "forecaster",
    instructions: "Use the weather tool, then answer.",
    model,
    tools: [weather],
    outputType: Forecast,
  });
  const result = await run(agent, prompt, { stream: true });
  const kinds = new Set<string>();
  for await (const event of result) kinds.add(event.type);
  await result.completed;
  return { calls, output: result.finalOutput, kinds };
}

describe("OpenAI Agents SDK: function tool, streamed, outputType", () => {
  it.each([
    ["openai/gpt-4o-mini", openaiFake],
    ["anthropic/claude-haiku-4-5", anthropicFake],
  ] as const)("%s: calls the tool, then answers the output type", async (model, fake) => {
    const { key } = await newKeyUser();
    const m = marker();
    // The provider calls the tool on the first turn (the fakes answer the schema's JSON otherwise).
    await script(fake(), {
      match: m,
      toolCall: { id: "call_agent", name: "weather", arguments: '{"city":"Oslo"}' },
    });
    const { calls, output, kinds } = await runAgent(key, model, m);
    expect(calls).toEqual(["Oslo"]);
    expect(Forecast.parse(output)).toEqual({ city: "sample", temperature: 42 });
    expect(kinds).toContain("raw_model_stream_event");
    const turns = await received(fake(), m);
    expect(turns).toHaveLength(2);
  });

  it("dev/echo: the dev provider calls the tool once, then answers JSON that fits the output type", async () => {
    const { key } = await newKeyUser();
    const { calls, output } = await runAgent(key, "dev/echo", "weather in Oslo?");
    expect(calls).toEqual(["[dev provider] sample"]);
    expect(Forecast.parse(output)).toEqual({ city: "[dev provider] sample", temperature: 42 });
  });
});
