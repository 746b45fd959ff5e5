// A fake OpenAI-compatible provider on loopback: chat completions and the Responses API (whole and streamed,
// structured output too), embeddings and audio transcriptions (multipart), checking the platform key,
// scriptable by tests (see provider-script.ts).
import type { ServerResponse } from "node:http";
import { encodeChat } from "gpt-tokenizer/encoding/o200k_base";
import {
  type FakeProvider,
  promptTokens,
  replyWords,
  type Script,
  sampleJson,
  startFakeProvider,
  writeEvents,
} from "./provider-script";

export const FAKE_OPENAI_KEY = "sk-platform-test";
/** A customer's own key (bring your own key) the fake accepts too; any other key is refused with 401. */
export const FAKE_CUSTOMER_OPENAI_KEY = "sk-customer-openai-valid";
/** The platform's key for every OpenAI-compatible provider configured by data (Groq, Mistral, …), which this
 * fake stands in for; a keyless local model server sends the placeholder (worker/ai/providers/openai-compatible). */
export const FAKE_COMPATIBLE_KEY = "sk-compatible-test";
const LOCAL_SERVER_KEY = "local-model-server";
const KEYS = new Set([FAKE_OPENAI_KEY, FAKE_CUSTOMER_OPENAI_KEY, FAKE_COMPATIBLE_KEY, LOCAL_SERVER_KEY]);
const REPLY = "Hello from the fake OpenAI provider.";

/** The text of a chat message's content (a string, or its text parts). */
function text(content: unknown): string {
  if (typeof content === "string") return content;
  return Array.isArray(content) ? content.map((p: { text?: unknown }) => String(p?.text ?? "")).join("") : "";
}

/** Prompt tokens of a chat request as OpenAI counts them: its messages in gpt-4o's chat format, o200k_base. */
function chatTokens(body: Record<string, unknown>): number {
  const messages = (body.messages ?? []) as { role: string; content?: unknown }[];
  const chat = messages.map((m) => ({ role: m.role as "user", content: text(m.content) }));
  return encodeChat(chat, "gpt-4o").length;
}

/** Chat usage; tokens read from the prompt cache are part of prompt_tokens, counted in cached_tokens. */
function usage(body: Record<string, unknown>, completion: number, script: Script | undefined) {
  const cached = script?.cache?.read ?? 0;
  const prompt = chatTokens(body) + cached;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  };
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

/** The models OpenAI transcribes with that bill by token (its documented `usage.type: "tokens"`). */
const TRANSCRIPTION_MODELS = new Set(["gpt-4o-mini-transcribe", "gpt-4o-transcribe"]);
export const FAKE_TRANSCRIPT = "Hello from the fake transcription.";

/**
 * `POST /v1/audio/transcriptions` as OpenAI documents it (CreateTranscriptionResponseJson): multipart `file` and
 * `model` in, `{text, usage: {type: "tokens", input_tokens, input_token_details, output_tokens, total_tokens}}`
 * out. Deterministic usage the tests can predict: one audio token per 100 bytes of the file (rounded up), one
 * text token per word of `prompt`, one output token per word of the transcript (`reply` of a script, or
 * FAKE_TRANSCRIPT).
 */
function transcription(res: ServerResponse, body: Record<string, unknown>, script: Script | undefined) {
  const file = body.file as { size?: number } | undefined;
  const refuse = (message: string, param: string) =>
    res
      .writeHead(400, { "content-type": "application/json" })
      .end(JSON.stringify({ error: { message, type: "invalid_request_error", param, code: null } }));
  if (!file || typeof file !== "object") return refuse("You must provide a file.", "file");
  if (!TRANSCRIPTION_MODELS.has(String(body.model)))
    return refuse("Invalid model for transcription.", "model");
  const words = replyWords(script, FAKE_TRANSCRIPT);
  const audio = Math.ceil((file.size ?? 0) / 100);
  const text = typeof body.prompt === "string" ? body.prompt.split(/\s+/).filter(Boolean).length : 0;
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      text: words.join(""),
      ...(script?.omitUsage
        ? {}
        : {
            usage: {
              type: "tokens",
              input_tokens: audio + text,
              input_token_details: { text_tokens: text, audio_tokens: audio },
              output_tokens: words.length,
              total_tokens: audio + text + words.length,
            },
          }),
    }),
  );
}

export function startFakeOpenAI(): Promise<FakeProvider> {
  return startFakeProvider(async (req, res, body, script) => {
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ") || !KEYS.has(auth.slice("Bearer ".length))) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ error: { message: "Incorrect API key provided.", type: "invalid_request_error" } }),
      );
      return;
    }
    await answerOpenAI(new URL(req.url ?? "/", "http://fake").pathname, res, body, script);
  });
}

/** The OpenAI API's answer at `path` (/v1/chat/completions, /v1/responses, /v1/embeddings), the key already
 * checked: shared with the fakes of providers that answer in OpenAI's shapes behind their own URLs (Azure). */
export async function answerOpenAI(
  path: string,
  res: ServerResponse,
  body: Record<string, unknown>,
  script: Script | undefined,
): Promise<void> {
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
  if (path === "/v1/responses") {
    await responses(res, body, script);
    return;
  }
  if (path === "/v1/audio/transcriptions") {
    transcription(res, body, script);
    return;
  }
  if (path !== "/v1/chat/completions") {
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"no such path"}}');
    return;
  }
  const format = body.response_format as { type?: string; json_schema?: { schema?: never } } | undefined;
  const structured =
    format?.type === "json_schema"
      ? JSON.stringify(sampleJson(format.json_schema?.schema))
      : format?.type === "json_object"
        ? "{}"
        : undefined;
  const words = structured ? [structured] : replyWords(script, REPLY);
  const calls = toolCalls(script);
  const finish = calls ? "tool_calls" : "stop";
  // vLLM's field naming the stop sequence that ended the answer (OpenAI itself sends none).
  const stopReason = script?.stopSequence ? { stop_reason: script.stopSequence } : {};
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
            message: {
              role: "assistant",
              content: calls ? null : words.join(""),
              refusal: null,
              tool_calls: calls,
            },
            finish_reason: finish,
            logprobs: null,
            ...stopReason,
          },
        ],
        ...(script?.omitUsage ? {} : { usage: usage(body, words.length, script) }),
      }),
    );
    return;
  }
  const base = { id, object: "chat.completion.chunk", created, model: body.model };
  const chunk = (delta: unknown, finishReason: string | null = null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finishReason, ...(finishReason ? stopReason : {}) }] })}\n\n`;
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
      ? [`data: ${JSON.stringify({ ...base, choices: [], usage: usage(body, words.length, script) })}\n\n`]
      : []),
    "data: [DONE]\n\n",
  ];
  await writeEvents(res, events, script, (i) => i >= 1 && i <= content.length);
}

/** POST /v1/responses: a message item (or a function_call item when scripted), whole or as typed events. */
async function responses(res: ServerResponse, body: Record<string, unknown>, script: Script | undefined) {
  const format = (body.text as { format?: { type?: string; schema?: never } } | undefined)?.format;
  const text =
    format?.type === "json_schema"
      ? JSON.stringify(sampleJson(format.schema))
      : replyWords(script, REPLY).join("");
  const id = `resp_fake_${Math.random().toString(36).slice(2)}`;
  const cached = script?.cache?.read ?? 0;
  const input = promptTokens(body) + cached;
  const output = script?.toolCall ? 5 : replyWords(script, REPLY).length;
  const usage = {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached, cache_write_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
  const item = script?.toolCall
    ? {
        id: "fc_fake_1",
        type: "function_call",
        status: "completed",
        call_id: script.toolCall.id,
        name: script.toolCall.name,
        arguments: script.toolCall.arguments,
      }
    : {
        id: "msg_fake_1",
        type: "message",
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text, annotations: [], logprobs: [] }],
      };
  const response = (status: string, out: unknown[], u: unknown) => ({
    id,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    metadata: {},
    model: `${body.model}-2025-01-01`,
    output: out,
    parallel_tool_calls: true,
    temperature: body.temperature ?? 1,
    top_p: body.top_p ?? 1,
    tool_choice: body.tool_choice ?? "auto",
    // OpenAI echoes function tools with every field, strict on unless the request turned it off.
    tools: ((body.tools as Record<string, unknown>[] | undefined) ?? []).map((t) => ({
      description: null,
      parameters: null,
      ...t,
      strict: t.strict ?? true,
    })),
    store: body.store,
    usage: u,
  });
  if (!body.stream) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(response("completed", [item], usage)));
    return;
  }
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  const content =
    item.type === "function_call"
      ? [
          ev("response.function_call_arguments.delta", {
            item_id: item.id,
            output_index: 0,
            delta: script!.toolCall!.arguments,
          }),
        ]
      : replyWords(script, text).map((w) =>
          ev("response.output_text.delta", {
            item_id: item.id,
            output_index: 0,
            content_index: 0,
            delta: w,
            logprobs: [],
          }),
        );
  const events = [
    ev("response.created", { response: response("in_progress", [], null) }),
    ev("response.in_progress", { response: response("in_progress", [], null) }),
    ev("response.output_item.added", { output_index: 0, item: { ...item, status: "in_progress" } }),
    ...content,
    ev("response.output_item.done", { output_index: 0, item }),
    ev("response.completed", { response: response("completed", [item], script?.omitUsage ? null : usage) }),
  ];
  await writeEvents(res, events, script, (i) => i >= 3 && i < 3 + content.length);
}
