// A fake Anthropic Messages API on loopback (whole and streamed, output_config and forced tools, the token
// count endpoint), checking the platform key and API version, refusing what the real API refuses (no max_tokens,
// a system role in messages), scriptable by tests.
import {
  countedTokens,
  type FakeProvider,
  promptTokens,
  replyWords,
  sampleJson,
  startFakeProvider,
  writeEvents,
} from "./provider-script";

export const FAKE_ANTHROPIC_KEY = "sk-ant-platform-test";
/** A customer's own key (bring your own key) the fake accepts too; any other key is refused with 401. */
export const FAKE_CUSTOMER_ANTHROPIC_KEY = "sk-ant-customer-valid";
const REPLY = "Hello from the fake Anthropic provider.";

const sse = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

export function startFakeAnthropic(): Promise<FakeProvider> {
  return startFakeProvider(async (req, res, body, script) => {
    const fail = (status: number, type: string, message: string) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type, message } }));
    };
    const key = req.headers["x-api-key"];
    if (key !== FAKE_ANTHROPIC_KEY && key !== FAKE_CUSTOMER_ANTHROPIC_KEY)
      return fail(401, "authentication_error", "invalid x-api-key");
    if (!req.headers["anthropic-version"])
      return fail(400, "invalid_request_error", "anthropic-version required");
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    if (path === "/v1/messages/count_tokens") {
      if (body.max_tokens !== undefined)
        return fail(400, "invalid_request_error", "max_tokens: Extra inputs are not permitted");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ input_tokens: countedTokens(body) }));
      return;
    }
    if (path !== "/v1/messages") return fail(404, "not_found_error", "no");
    if (typeof body.max_tokens !== "number")
      return fail(400, "invalid_request_error", "max_tokens: Field required");
    const messages = (body.messages as { role: string }[]) ?? [];
    if (messages.some((m) => m.role !== "user" && m.role !== "assistant")) {
      return fail(400, "invalid_request_error", "messages: roles must be user or assistant");
    }
    const choice = body.tool_choice as { type?: string } | undefined;
    if ((choice?.type === "tool" || choice?.type === "any") && !(body.tools as unknown[] | undefined)?.length)
      return fail(400, "invalid_request_error", "tool_choice: may only be specified while providing tools");
    // A forced tool is always called, with input that fits its schema; output_config answers JSON text.
    const forced =
      (body.tool_choice as { type?: string; name?: string } | undefined)?.type === "tool"
        ? (body.tools as { name: string; input_schema?: never }[]).find(
            (t) => t.name === (body.tool_choice as { name: string }).name,
          )
        : undefined;
    const format = (body.output_config as { format?: { schema?: never } } | undefined)?.format;
    const words = format ? [JSON.stringify(sampleJson(format.schema))] : replyWords(script, REPLY);
    const tool =
      script?.toolCall ??
      (forced
        ? {
            id: "toolu_forced",
            name: forced.name,
            arguments: JSON.stringify(sampleJson(forced.input_schema)),
          }
        : undefined);
    const input = promptTokens(body);
    // Anthropic's usage always names the cache counts: input_tokens is the uncached part, the cache reads and
    // writes (as scripted; none by default) beside it.
    const inputUsage = {
      input_tokens: input,
      cache_creation_input_tokens: script?.cache?.write ?? 0,
      cache_read_input_tokens: script?.cache?.read ?? 0,
    };
    const id = `msg_fake_${Math.random().toString(36).slice(2)}`;
    const stopReason = tool ? "tool_use" : script?.stopSequence ? "stop_sequence" : "end_turn";
    const stopSequence = script?.stopSequence ?? null;
    if (!body.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id,
          type: "message",
          role: "assistant",
          model: body.model,
          content: tool
            ? [{ type: "tool_use", id: tool.id, name: tool.name, input: JSON.parse(tool.arguments) }]
            : [{ type: "text", text: words.join("") }],
          stop_reason: stopReason,
          stop_sequence: stopSequence,
          usage: script?.omitUsage ? undefined : { ...inputUsage, output_tokens: words.length },
        }),
      );
      return;
    }
    const content = tool
      ? [
          sse("content_block_start", {
            index: 0,
            content_block: { type: "tool_use", id: tool.id, name: tool.name, input: {} },
          }),
          sse("content_block_delta", {
            index: 0,
            delta: { type: "input_json_delta", partial_json: tool.arguments },
          }),
        ]
      : [
          sse("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
          ...words.map((w) =>
            sse("content_block_delta", { index: 0, delta: { type: "text_delta", text: w } }),
          ),
        ];
    const events = [
      sse("message_start", {
        message: {
          id,
          type: "message",
          role: "assistant",
          model: body.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...inputUsage, output_tokens: 1 },
        },
      }),
      sse("ping", {}),
      ...content,
      sse("content_block_stop", { index: 0 }),
      sse("message_delta", {
        delta: { stop_reason: stopReason, stop_sequence: stopSequence },
        // The final counts, as Anthropic's API sends them in message_delta.
        usage: script?.omitUsage ? { output_tokens: 0 } : { ...inputUsage, output_tokens: words.length },
      }),
      sse("message_stop", {}),
    ];
    await writeEvents(res, events, script, (i) => i >= 3 && i < 2 + content.length);
  });
}
