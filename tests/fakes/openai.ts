// A fake OpenAI-compatible provider on loopback: chat completions (whole and streamed) and embeddings,
// checking the platform key, scriptable by tests (see provider-script.ts).
import {
  type FakeProvider,
  promptTokens,
  replyWords,
  type Script,
  startFakeProvider,
  writeEvents,
} from "./provider-script";

export const FAKE_OPENAI_KEY = "sk-platform-test";
const REPLY = "Hello from the fake OpenAI provider.";

function usage(body: Record<string, unknown>, completion: number) {
  const prompt = promptTokens(body);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function toolCalls(script: Script | undefined) {
  return script?.toolCall
    ? [
        {
          id: script.toolCall.id,
          type: "function",
          function: { name: script.toolCall.name, arguments: script.toolCall.arguments },
        },
      ]
    : undefined;
}

export function startFakeOpenAI(): Promise<FakeProvider> {
  return startFakeProvider(async (req, res, body, script) => {
    if (req.headers.authorization !== `Bearer ${FAKE_OPENAI_KEY}`) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ error: { message: "Incorrect API key provided.", type: "invalid_request_error" } }),
      );
      return;
    }
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    if (path === "/v1/embeddings") {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          object: "list",
          data: inputs.map((_, index) => ({
            object: "embedding",
            index,
            embedding:
              body.encoding_format === "base64"
                ? Buffer.from(new Float32Array([0.1, 0.2, 0.3]).buffer).toString("base64")
                : [0.1, 0.2, 0.3],
          })),
          model: body.model,
          usage: { prompt_tokens: 2 * inputs.length, total_tokens: 2 * inputs.length },
        }),
      );
      return;
    }
    if (path !== "/v1/chat/completions") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"no such path"}}');
      return;
    }
    const words = replyWords(script, REPLY);
    const calls = toolCalls(script);
    const finish = calls ? "tool_calls" : "stop";
    const id = `chatcmpl-fake-${Math.random().toString(36).slice(2)}`;
    const created = Math.floor(Date.now() / 1000);
    if (!body.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id,
          object: "chat.completion",
          created,
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: calls ? null : words.join(""), tool_calls: calls },
              finish_reason: finish,
            },
          ],
          ...(script?.omitUsage ? {} : { usage: usage(body, words.length) }),
        }),
      );
      return;
    }
    const base = { id, object: "chat.completion.chunk", created, model: body.model };
    const chunk = (delta: unknown, finishReason: string | null = null) =>
      `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
    const content = calls
      ? [
          chunk({
            tool_calls: [
              {
                index: 0,
                id: calls[0]!.id,
                type: "function",
                function: { name: calls[0]!.function.name, arguments: "" },
              },
            ],
          }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: calls[0]!.function.arguments } }] }),
        ]
      : words.map((w) => chunk({ content: w }));
    const wantsUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage;
    const events = [
      chunk({ role: "assistant", content: "" }),
      ...content,
      chunk({}, finish),
      ...(wantsUsage && !script?.omitUsage
        ? [`data: ${JSON.stringify({ ...base, choices: [], usage: usage(body, words.length) })}\n\n`]
        : []),
      "data: [DONE]\n\n",
    ];
    await writeEvents(res, events, script, (i) => i >= 1 && i <= content.length);
  });
}
