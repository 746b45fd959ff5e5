// A real tokenizer where we estimate: count_tokens and the Anthropic-dialect stream's message_start of an OpenAI
// model give the count the provider reports; every input form is counted for the reservation, and what a model
// cannot take is refused before anything is reserved or forwarded.
import { describe, expect, it } from "vitest";
import { marker, openaiFake, received, usageRows } from "../support/ai-helpers";
import { setBalance } from "../support/billing-helpers";
import { call, expectError, newKeyUser } from "../support/helpers";

const anthropicHeaders = { "anthropic-version": "2023-06-01" };

// biome-ignore lint/suspicious/noExplicitAny: stream events read field by field
type Json = Record<string, any>;

function events(text: string): Json[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("data: ") && l !== "data: [DONE]")
    .map((l) => JSON.parse(l.slice(6)) as Json);
}

/** Token ids no other request sends, so the fake's record of what it received can be searched for them. */
function tokenIds(count: number): number[] {
  const first = 100_000_000 + Math.floor(Math.random() * 800_000_000);
  return [first, ...Array.from({ length: count - 1 }, (_, i) => i % 50_000)];
}

describe("OpenAI-family models are counted with OpenAI's tokenizer", () => {
  it("count_tokens, message_start and the provider's own count agree (system, several messages, parts)", async () => {
    const { key, id } = await newKeyUser();
    const body = {
      model: "openai/gpt-4o-mini",
      max_tokens: 64,
      system: "You answer in one short sentence, in the user's language.",
      messages: [
        { role: "user", content: `${marker()} Wie viele Einwohner hat Zürich? Antworte kurz.` },
        { role: "assistant", content: "Etwa 420.000." },
        { role: "user", content: [{ type: "text", text: "And Genève — 日本語で答えてください。" }] },
      ],
    };
    const counted = await call("/v1/messages/count_tokens", { key, headers: anthropicHeaders, body });
    expect(counted.status).toBe(200);
    expect(counted.headers.get("x-token-count")).toBe("exact");
    const { input_tokens: count } = (await counted.json()) as { input_tokens: number };

    const streamed = events(
      await (
        await call("/v1/messages", { key, headers: anthropicHeaders, body: { ...body, stream: true } })
      ).text(),
    );
    const start = streamed.find((e) => e.type === "message_start")!;
    const delta = streamed.find((e) => e.type === "message_delta")!;
    const [row] = await usageRows(id, 1);
    // The provider (the fake counts as OpenAI does: gpt-4o's chat format, o200k_base) reported row.input_tokens.
    expect(row!.estimated).toBe(0);
    expect(start.message.usage.input_tokens).toBe(row!.input_tokens);
    expect(delta.usage.input_tokens).toBe(row!.input_tokens);
    expect(count).toBe(row!.input_tokens);
    // Not ≈4 characters a token: the German, French and Japanese text counts differently.
    const chars = JSON.stringify(body.messages).length + body.system.length;
    expect(count).not.toBe(Math.ceil(chars / 4));
  });

  it("dev/* models keep the documented estimate", async () => {
    const { key } = await newKeyUser();
    const res = await call("/v1/messages/count_tokens", {
      key,
      headers: anthropicHeaders,
      body: { model: "dev/echo", messages: [{ role: "user", content: "x".repeat(396) }] },
    });
    expect(res.headers.get("x-token-count")).toBe("estimate");
    // 396 characters of content plus "user": 400 characters, 100 tokens.
    expect(await res.json()).toEqual({ input_tokens: 100 });
  });
});

describe("every input form counts", () => {
  it("embeddings as token ids: 200,000 ids are refused (400 context_length_exceeded), nothing forwarded", async () => {
    const { key } = await newKeyUser();
    for (const input of [tokenIds(200_000), [tokenIds(9_000)], [tokenIds(10), tokenIds(8_192)]]) {
      const res = await call("/v1/embeddings", {
        key,
        body: { model: "openai/text-embedding-3-small", input },
      });
      expect((await expectError(res, 400)).code).toBe("context_length_exceeded");
      expect(await received(openaiFake(), String((input.flat() as number[])[0]))).toHaveLength(0);
    }
  });

  it("embeddings as token ids are reserved at their size: a balance short of it is 402, nothing forwarded", async () => {
    const user = await newKeyUser();
    // text-embedding-3-large, $0.13 per 1M: 8,000 tokens reserve 1,040 µ$, 4,000 reserve 520 µ$.
    await setBalance(user.id, 1_000);
    const big = tokenIds(8_000);
    const refused = await call("/v1/embeddings", {
      key: user.key,
      body: { model: "openai/text-embedding-3-large", input: big },
    });
    expect((await expectError(refused, 402)).code).toBe("insufficient_credit");
    expect(await received(openaiFake(), String(big[0]))).toHaveLength(0);
    const small = tokenIds(4_000);
    const served = await call("/v1/embeddings", {
      key: user.key,
      body: { model: "openai/text-embedding-3-large", input: [small] },
    });
    expect(served.status).toBe(200);
    expect(await received(openaiFake(), String(small[0]))).toHaveLength(1);
  });

  it("many embeddings inputs are each held to the model's limit, not their sum", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    // Twelve inputs of ≈1,000 tokens: 12,000 in all, more than one input may hold (8,191), all served.
    const input = Array.from({ length: 12 }, (_, i) => `${m} ${i} ${"word ".repeat(1_000)}`);
    const res = await call("/v1/embeddings", {
      key,
      body: { model: "openai/text-embedding-3-small", input },
    });
    expect(res.status).toBe(200);
  });

  it("an image is an image, not its base64 text: a 2 MB data URL fits a 32,000-token model", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    const url = `data:image/png;base64,${"A".repeat(2 * 1024 * 1024)}`;
    const res = await call("/v1/chat/completions", {
      key,
      body: {
        model: "dev/echo",
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: m },
              { type: "image_url", image_url: { url } },
            ],
          },
        ],
      },
    });
    expect(res.status).toBe(200);
  });

  it("tool schemas count whole (their keys too): a schema larger than the context is refused", async () => {
    const { key } = await newKeyUser();
    // 20,000 properties: their string values alone ("number") are ≈30,000 tokens, under dev/echo's 32,000;
    // the schema's JSON is ≈100,000.
    const properties = Object.fromEntries(
      Array.from({ length: 20_000 }, (_, i) => [`p${i}_${"q".repeat(8)}`, { type: "number" }]),
    );
    const res = await call("/v1/chat/completions", {
      key,
      body: {
        model: "dev/echo",
        messages: [{ role: "user", content: marker() }],
        tools: [{ type: "function", function: { name: "big", parameters: { type: "object", properties } } }],
      },
    });
    expect((await expectError(res, 400)).code).toBe("context_length_exceeded");
  });

  it("text near a context limit is counted by the tokenizer, not refused on the estimate", async () => {
    const { key } = await newKeyUser();
    const m = marker();
    // 600,000 characters: 150,000 tokens by the estimate, over gpt-4o-mini's 128,000; o200k counts each
    // " hello" as one token: ≈100,000, within.
    const content = `${m}${" hello".repeat(100_000)}`;
    const res = await call("/v1/chat/completions", {
      key,
      body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content }] },
    });
    expect(res.status).toBe(200);
    // The same text repeated past the limit by the tokenizer's count too is refused, nothing forwarded.
    const m2 = marker();
    const tooLong = await call("/v1/chat/completions", {
      key,
      body: {
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: `${m2} ${"x y ".repeat(140_000)}` }],
      },
    });
    expect((await expectError(tooLong, 400)).code).toBe("context_length_exceeded");
    expect(await received(openaiFake(), m2)).toHaveLength(0);
  });
});
