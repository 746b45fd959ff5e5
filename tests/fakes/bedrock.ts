// A fake of Amazon Bedrock's runtime on loopback, modelled on its documented Converse API: POST
// /model/{modelId}/converse and /model/{modelId}/converse-stream, signed with SigV4 (the Authorization header must
// be a well-formed AWS4-HMAC-SHA256 one for the fake's access key, region and service "bedrock", with x-amz-date),
// a body of messages/system/inferenceConfig/toolConfig (anything else is refused with a ValidationException, as
// Bedrock refuses unknown fields), output.message content blocks, stopReason, and usage with
// cacheReadInputTokens/cacheWriteInputTokens; and InvokeModel (/model/{modelId}/invoke) for Titan Text Embeddings
// V2. A stream is AWS event-stream binary framing (each message: total
// and headers lengths, prelude CRC32, string headers, JSON payload, message CRC32). Scriptable like the others.
import type { ServerResponse } from "node:http";
import { crc32 } from "node:zlib";
import {
  type FakeProvider,
  promptTokens,
  replyWords,
  type Script,
  startFakeProvider,
} from "./provider-script";

export const FAKE_BEDROCK_ACCESS_KEY_ID = "AKIAFAKEBEDROCK00001";
/** The key setting's value: `ACCESS_KEY_ID:SECRET_ACCESS_KEY`. */
export const FAKE_BEDROCK_CREDENTIALS = `${FAKE_BEDROCK_ACCESS_KEY_ID}:fake-bedrock-secret-access-key`;
const REGION = "us-east-1";
const REPLY = "Hello from the fake Bedrock provider.";
const FIELDS = new Set([
  "messages",
  "system",
  "inferenceConfig",
  "toolConfig",
  "additionalModelRequestFields",
]);
const TITAN_FIELDS = new Set(["inputText", "dimensions", "normalize", "embeddingTypes"]);
const AUTHORIZATION = new RegExp(
  `^AWS4-HMAC-SHA256 Credential=${FAKE_BEDROCK_ACCESS_KEY_ID}/(\\d{8})/${REGION}/bedrock/aws4_request, ` +
    "SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$",
);

const error = (res: ServerResponse, status: number, type: string, message: string) => {
  res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type });
  res.end(JSON.stringify({ message }));
};

/** One event-stream message with string headers (value type 7). */
function frame(headers: Record<string, string>, payload: unknown): Buffer {
  const head = Buffer.concat(
    Object.entries(headers).map(([name, value]) => {
      const n = Buffer.from(name);
      const v = Buffer.from(value);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(v.length);
      return Buffer.concat([Buffer.from([n.length]), n, Buffer.from([7]), length, v]);
    }),
  );
  const body = Buffer.from(JSON.stringify(payload));
  const total = 12 + head.length + body.length + 4;
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(head.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const message = Buffer.concat([prelude, head, body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(message));
  return Buffer.concat([message, crc]);
}

const event = (type: string, payload: unknown) =>
  frame({ ":event-type": type, ":content-type": "application/json", ":message-type": "event" }, payload);

function usage(body: Record<string, unknown>, output: number, script: Script | undefined) {
  const read = script?.cache?.read ?? 0;
  const written = script?.cache?.write ?? 0;
  const input = promptTokens({ messages: body.messages });
  return {
    inputTokens: input,
    outputTokens: output,
    totalTokens: input + output + read + written,
    ...(read ? { cacheReadInputTokens: read } : {}),
    ...(written ? { cacheWriteInputTokens: written } : {}),
  };
}

/** InvokeModel for Titan Text Embeddings V2: `{inputText, dimensions?, normalize?, embeddingTypes?}` (anything else
 * is a ValidationException), `{embedding, inputTextTokenCount, embeddingsByType}` back. The vector's first value
 * is the text's length, its size the dimensions asked (default 1024); the token count is `promptTokens` of the text. */
function invokeTitan(res: ServerResponse, model: string, body: Record<string, unknown>) {
  if (model !== "amazon.titan-embed-text-v2:0") {
    error(res, 400, "ValidationException", "The provided model identifier is invalid.");
    return;
  }
  const unknown = Object.keys(body).find((k) => !TITAN_FIELDS.has(k));
  const dimensions = body.dimensions ?? 1024;
  const text = body.inputText;
  if (unknown || typeof text !== "string" || ![256, 512, 1024].includes(dimensions as number)) {
    error(
      res,
      400,
      "ValidationException",
      `Malformed input request: ${unknown ?? "inputText or dimensions"}`,
    );
    return;
  }
  const embedding = Array.from({ length: dimensions as number }, (_, i) => (i === 0 ? text.length : 0.5));
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      embedding,
      inputTextTokenCount: promptTokens({ input: text }),
      embeddingsByType: { float: embedding },
    }),
  );
}

export function startFakeBedrock(): Promise<FakeProvider> {
  return startFakeProvider(async (req, res, body, script) => {
    const auth = AUTHORIZATION.exec(String(req.headers.authorization ?? ""));
    if (
      !auth ||
      !/^\d{8}T\d{6}Z$/.test(String(req.headers["x-amz-date"] ?? "")) ||
      !auth[2]!.includes("host")
    ) {
      error(
        res,
        403,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
      );
      return;
    }
    const route = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/.exec(req.url ?? "");
    if (!route) {
      error(res, 404, "UnknownOperationException", "Unknown operation");
      return;
    }
    if (route[2] === "invoke") {
      invokeTitan(res, decodeURIComponent(route[1]!), body);
      return;
    }
    const unknown = Object.keys(body).find((k) => !FIELDS.has(k));
    if (unknown) {
      error(
        res,
        400,
        "ValidationException",
        `Malformed input request: extraneous key [${unknown}] is not permitted`,
      );
      return;
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      error(res, 400, "ValidationException", "A conversation must start with a user message.");
      return;
    }
    const words = replyWords(script, REPLY);
    const call = script?.toolCall;
    const output = call ? 5 : words.length;
    const stopReason = script?.block ?? (call ? "tool_use" : "end_turn");
    if (route[2] === "converse") {
      const content = call
        ? [{ toolUse: { toolUseId: call.id, name: call.name, input: JSON.parse(call.arguments) } }]
        : [{ text: words.join("") }];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          output: { message: { role: "assistant", content } },
          stopReason,
          usage: usage(body, output, script),
          metrics: { latencyMs: 12 },
        }),
      );
      return;
    }
    const pieces = call
      ? [
          event("contentBlockStart", {
            contentBlockIndex: 0,
            start: { toolUse: { toolUseId: call.id, name: call.name } },
          }),
          event("contentBlockDelta", { contentBlockIndex: 0, delta: { toolUse: { input: call.arguments } } }),
        ]
      : words.map((text) => event("contentBlockDelta", { contentBlockIndex: 0, delta: { text } }));
    const frames = [
      event("messageStart", { role: "assistant" }),
      ...pieces,
      event("contentBlockStop", { contentBlockIndex: 0 }),
      event("messageStop", { stopReason }),
      ...(script?.omitUsage
        ? []
        : [event("metadata", { usage: usage(body, output, script), metrics: { latencyMs: 12 } })]),
    ];
    if (script?.exception) {
      // A stream that fails midway: Bedrock sends an exception message in the stream, after the first piece.
      const exception = { ":exception-type": script.exception, ":message-type": "exception" };
      frames.splice(2, frames.length, frame(exception, { message: "The stream failed upstream." }));
    }
    res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream" });
    let content = 0;
    for (const [i, f] of frames.entries()) {
      const isContent = i >= 1 && i <= pieces.length;
      if (isContent && script?.cutAfter !== undefined && content++ >= script.cutAfter) {
        res.socket?.destroy();
        return;
      }
      // Split each frame in two writes: the decoder must join frames across chunks.
      const half = Math.floor(f.length / 2);
      await new Promise<void>((resolve) => res.write(f.subarray(0, half), () => resolve()));
      await new Promise<void>((resolve) => res.write(f.subarray(half), () => resolve()));
    }
    res.end();
  });
}
