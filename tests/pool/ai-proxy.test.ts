// The AI proxy through the official SDKs: models, chat (whole and streamed), embeddings, messages, translation.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { anthropicFake, marker, openaiFake, received, usageRows, v1, workerFetch } from "./ai-helpers";
import { ORIGIN, newKeyUser } from "./helpers";

const openai = (key: string) => new OpenAI({ apiKey: key, baseURL: v1, fetch: workerFetch, maxRetries: 0 });
const anthropic = (key: string) => new Anthropic({ apiKey: key, baseURL: ORIGIN, fetch: workerFetch, maxRetries: 0 });

describe("OpenAI SDK", () => {
  it("lists the configured models as provider/model ids", async () => {
    const { key } = await newKeyUser();
    const ids = [];
    for await (const m of openai(key).models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(["openai/gpt-4o-mini", "anthropic/claude-3-5-haiku-latest", "dev/echo"]));
  });

  it("completes a chat against the dev provider, labelled as such", async () => {
    const { key, id } = await newKeyUser();
    const res = await openai(key).chat.completions.create({
      model: "dev/echo",
      messages: [{ role: "user", content: "ping" }],
    });
    expect(res.choices[0]!.message.content).toBe("[dev provider] You said: ping");
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({ model: "dev/echo", provider: "dev", status: 200, streamed: 0, estimated: 0 });
  });

  it("completes a chat through the OpenAI provider with the platform key and no customer identity", async () => {
    const { key, id, email } = await newKeyUser();
    const m = marker();
    const res = await openai(key).chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: m }],
      user: "end-user-42",
    });
    expect(res.choices[0]!.message.content).toBe("Hello from the fake OpenAI provider.");
    const [upstream] = await received(openaiFake(), m);
    expect(upstream!.headers.authorization).toBe("Bearer sk-platform-test");
    const sent = JSON.parse(upstream!.body);
    expect(sent.model).toBe("gpt-4o-mini");
    expect(sent.user).toBeUndefined();
    const everything = JSON.stringify(upstream);
    for (const secret of [key, email, id, "end-user-42"]) expect(everything).not.toContain(secret);
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({ model: "openai/gpt-4o-mini", provider: "openai", input_tokens: res.usage!.prompt_tokens, output_tokens: res.usage!.completion_tokens });
  });
});
