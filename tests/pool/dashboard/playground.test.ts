// The playground without JavaScript (its action, as the plain form posts it) and its stream endpoint: the
// system prompt, the conversation so far, temperature and max tokens reach the provider as one chat request;
// each answer comes back with its tokens and the cost the request log bills.
import { describe, expect, it } from "vitest";
import * as playground from "../../../app/routes/dashboard/playground";
import * as playgroundStream from "../../../app/routes/dashboard/playground-stream";
import { marker, openaiFake, received, script, usageRows } from "../support/ai-helpers";
import { newUser } from "../support/helpers";
import { args, post, unwrap } from "../support/route-calls";

type Turn = {
  role: string;
  content: string;
  requestId?: string;
  inputTokens?: number;
  outputTokens?: number;
  costMicros?: number;
};

describe("playground", () => {
  it("a second turn sends the system prompt, the history and the settings; the answer has its tokens and cost", async () => {
    const { cookie, id } = await newUser();
    const m = marker();
    await script(openaiFake(), { match: m, reply: "Second answer." });
    const history: Turn[] = [
      { role: "user", content: "First question" },
      { role: "assistant", content: "First answer.", inputTokens: 3, outputTokens: 2, costMicros: 1 },
    ];
    const done = unwrap(
      await playground.action(
        args(
          post(
            "/dashboard/playground",
            {
              model: "openai/gpt-4o-mini",
              system: "Be brief.",
              temperature: "0.3",
              maxTokens: "50",
              prompt: `Again ${m}`,
              history: JSON.stringify(history),
            },
            cookie,
          ),
        ),
      ),
    ) as { turns: Turn[]; values: Record<string, string> };
    const [sent] = await received(openaiFake(), m);
    const body = JSON.parse(sent!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "First question" },
        { role: "assistant", content: "First answer." },
        { role: "user", content: `Again ${m}` },
      ],
      temperature: 0.3,
    });
    expect(body.max_tokens ?? body.max_completion_tokens).toBe(50);
    expect(done.turns).toHaveLength(4);
    expect(done.turns.slice(0, 2)).toEqual(history);
    const answer = done.turns[3]!;
    expect(answer).toMatchObject({ role: "assistant", content: "Second answer." });
    expect(answer.outputTokens).toBeGreaterThan(0);
    expect(done.values).toEqual({
      model: "openai/gpt-4o-mini",
      system: "Be brief.",
      temperature: "0.3",
      maxTokens: "50",
    });
    // The cost shown is the cost billed.
    const [row] = await usageRows(id, 1);
    expect(row).toMatchObject({
      id: answer.requestId,
      input_tokens: answer.inputTokens,
      output_tokens: answer.outputTokens,
      cost_micros: answer.costMicros,
    });
    expect(answer.costMicros).toBeGreaterThan(0);
  });

  it("refuses bad settings beside their fields and keeps the conversation", async () => {
    const { cookie } = await newUser();
    const history = JSON.stringify([
      { role: "user", content: "q" },
      { role: "assistant", content: "a" },
    ]);
    const bad = unwrap(
      await playground.action(
        args(
          post(
            "/dashboard/playground",
            { model: "openai/gpt-4o-mini", prompt: "x", temperature: "3", maxTokens: "1.5", history },
            cookie,
          ),
        ),
      ),
    ) as { error: { fields: Record<string, string> }; values: Record<string, string> };
    expect(bad.error.fields).toMatchObject({
      temperature: "Enter a number from 0 to 2.",
      maxTokens: "Enter a whole number of tokens.",
    });
    expect(bad.values.history).toBe(history);
    const broken = unwrap(
      await playground.action(
        args(
          post("/dashboard/playground", { model: "openai/gpt-4o-mini", prompt: "x", history: "[{" }, cookie),
        ),
      ),
    ) as { error: { fields: Record<string, string> } };
    expect(broken.error.fields.history).toMatch(/start a new one/);
  });

  it("the stream endpoint sends the same request and ends with the usage", async () => {
    const { cookie } = await newUser();
    const m = marker();
    const res = (await playgroundStream.action(
      args(
        post(
          "/dashboard/playground/stream",
          { model: "openai/gpt-4o-mini", system: "Sys", prompt: m, temperature: "1" },
          cookie,
        ),
      ),
    )) as Response;
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/"usage":\{"prompt_tokens":\d+/);
    const body = JSON.parse((await received(openaiFake(), m))[0]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      messages: [
        { role: "system", content: "Sys" },
        { role: "user", content: m },
      ],
      temperature: 1,
      stream: true,
    });
  });
});
