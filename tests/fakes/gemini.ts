// A fake of Google's Gemini API on loopback, modelled on its documented REST surface: POST
// /v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse, the key in x-goog-api-key, a body of
// contents/systemInstruction/tools/toolConfig/generationConfig (anything else is refused, as Gemini refuses unknown
// names), candidates with finishReason, promptFeedback for a blocked prompt, and usageMetadata with
// cachedContentTokenCount and thoughtsTokenCount. Scriptable like the other fakes (provider-script.ts).
import type { ServerResponse } from "node:http";
import {
  type FakeProvider,
  promptTokens,
  replyWords,
  type Script,
  sampleJson,
  startFakeProvider,
  writeEvents,
} from "./provider-script";

export const FAKE_GEMINI_KEY = "gemini-platform-test";
/** A customer's own Gemini key (bring your own key) the fake accepts too. */
export const FAKE_CUSTOMER_GEMINI_KEY = "gemini-customer-valid";
const REPLY = "Hello from the fake Gemini provider.";
const FIELDS = new Set([
  "contents",
  "systemInstruction",
  "tools",
  "toolConfig",
  "generationConfig",
  "safetySettings",
]);

const error = (res: ServerResponse, code: number, status: string, message: string, details?: unknown[]) => {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } }));
};

function usageMetadata(body: Record<string, unknown>, output: number, script: Script | undefined) {
  const cached = script?.cache?.read ?? 0;
  const prompt = promptTokens({ messages: body.contents }) + cached;
  const thoughts = script?.thoughts ?? 0;
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: output,
    totalTokenCount: prompt + output + thoughts,
    ...(cached ? { cachedContentTokenCount: cached } : {}),
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
  };
}

/** batchEmbedContents: `requests`, each naming the same model and one content; `embeddings[].values` back
 * (Gemini reports no token counts here). */
function embed(res: ServerResponse, model: string, body: Record<string, unknown>) {
  const requests = body.requests as
    | { model?: string; content?: { parts?: { text?: string }[] } }[]
    | undefined;
  const unknown = Object.keys(body).find((k) => k !== "requests");
  if (unknown || !Array.isArray(requests) || requests.length === 0) {
    error(
      res,
      400,
      "INVALID_ARGUMENT",
      `Invalid JSON payload received. Unknown name "${unknown ?? "requests"}".`,
    );
    return;
  }
  if (
    requests.some((r) => r.model !== `models/${model}` || typeof r.content?.parts?.[0]?.text !== "string")
  ) {
    error(res, 400, "INVALID_ARGUMENT", "Each request must name the model of the URL and one text content.");
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      embeddings: requests.map((r) => ({ values: [r.content!.parts![0]!.text!.length, 0.5, -0.25] })),
    }),
  );
}

export function startFakeGemini(): Promise<FakeProvider> {
  return startFakeProvider(async (req, res, body, script) => {
    const key = req.headers["x-goog-api-key"];
    if (key !== FAKE_GEMINI_KEY && key !== FAKE_CUSTOMER_GEMINI_KEY) {
      error(res, 400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
        {
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: "API_KEY_INVALID",
          domain: "googleapis.com",
        },
      ]);
      return;
    }
    const url = new URL(req.url ?? "/", "http://fake");
    const route =
      /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/.exec(
        url.pathname,
      );
    if (!route) {
      error(res, 404, "NOT_FOUND", "no such method");
      return;
    }
    if (route[2] === "batchEmbedContents") {
      embed(res, decodeURIComponent(route[1]!), body);
      return;
    }
    const unknown = Object.keys(body).find((k) => !FIELDS.has(k));
    if (unknown) {
      error(
        res,
        400,
        "INVALID_ARGUMENT",
        `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`,
      );
      return;
    }
    if (!Array.isArray(body.contents) || body.contents.length === 0) {
      error(res, 400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified");
      return;
    }
    const streamed = route[2] === "streamGenerateContent";
    if (streamed && url.searchParams.get("alt") !== "sse") {
      error(res, 400, "INVALID_ARGUMENT", "this fake streams server-sent events only (alt=sse)");
      return;
    }
    const modelVersion = decodeURIComponent(route[1]!);
    const responseId = `fake-${Math.random().toString(36).slice(2)}`;
    if (script?.block === "PROMPT") {
      const answer = {
        promptFeedback: { blockReason: "SAFETY" },
        usageMetadata: usageMetadata(body, 0, script),
        modelVersion,
        responseId,
      };
      if (!streamed) res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
      else await writeEvents(res, [`data: ${JSON.stringify(answer)}\r\n\r\n`], script, () => false);
      return;
    }
    const schema = (body.generationConfig as { responseJsonSchema?: never } | undefined)?.responseJsonSchema;
    const words = schema ? [JSON.stringify(sampleJson(schema))] : replyWords(script, REPLY);
    const call = script?.toolCall
      ? { functionCall: { name: script.toolCall.name, args: JSON.parse(script.toolCall.arguments) } }
      : undefined;
    const thought = script?.thoughts ? [{ text: "Considering the question.", thought: true }] : [];
    const output = script?.block ? 0 : call ? 5 : words.length;
    const finishReason = script?.block ?? "STOP";
    const candidate = (parts: unknown[], finish?: string) => ({
      content: { role: "model", parts },
      index: 0,
      ...(finish ? { finishReason: finish } : {}),
    });
    const parts = script?.block ? [] : [...thought, ...(call ? [call] : words.map((text) => ({ text })))];
    if (!streamed) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          candidates: [candidate(parts, finishReason)],
          ...(script?.omitUsage ? {} : { usageMetadata: usageMetadata(body, output, script) }),
          modelVersion,
          responseId,
        }),
      );
      return;
    }
    // Gemini's SSE uses CRLF line ends; each event is a whole GenerateContentResponse.
    const event = (data: unknown) => `data: ${JSON.stringify(data)}\r\n\r\n`;
    const running = { promptTokenCount: usageMetadata(body, 0, script).promptTokenCount };
    const pieces = script?.block ? [] : [...thought, ...(call ? [call] : words.map((text) => ({ text })))];
    const events = [
      ...pieces.map((part) =>
        event({ candidates: [candidate([part])], usageMetadata: running, modelVersion, responseId }),
      ),
      event({
        candidates: [candidate(script?.block ? [] : [{ text: "" }], finishReason)],
        ...(script?.omitUsage ? {} : { usageMetadata: usageMetadata(body, output, script) }),
        modelVersion,
        responseId,
      }),
    ];
    await writeEvents(res, events, script, (i) => i < pieces.length);
  });
}
