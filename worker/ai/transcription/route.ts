// POST /v1/audio/transcriptions (OpenAI-compatible): a multipart upload of one audio file and a transcription
// model, checked by zod, transcribed through the gateway (transcribe.ts) and answered in OpenAI's JSON shape
// ({text, usage}) exactly as the provider wrote it. Registered on the AI API's router by worker/ai/routes.ts.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { ApiKeyEnv } from "../../env";
import { errorResponses, jsonContent } from "../../openapi";
import { transcribe } from "./transcribe";

/** The formats OpenAI transcribes (its CreateTranscriptionRequest `file`), by name ending. */
const AUDIO_NAME = /\.(flac|mp3|mp4|mpeg|mpga|m4a|ogg|oga|opus|wav|webm)$/i;

const TranscriptionForm = z
  .object({
    file: z
      .instanceof(File, { message: "Attach the audio file as `file`." })
      .refine((f) => f.size > 0, "The audio file is empty.")
      .refine(
        (f) => AUDIO_NAME.test(f.name) || f.type.startsWith("audio/") || f.type.startsWith("video/"),
        "The file must be audio: flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav or webm.",
      )
      .openapi({
        type: "string",
        format: "binary",
        description:
          "The audio file (flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav or webm), at most 20 MB: name it with its extension",
      }),
    model: z
      .string()
      .min(1)
      .max(200)
      .openapi({ description: "A transcription model (`kind: transcription` in GET /v1/models)" }),
    language: z
      .string()
      .regex(/^[a-z]{2,3}$/, "An ISO-639-1 code such as `en`.")
      .optional()
      .openapi({ description: "The audio's language (ISO-639-1), if known" }),
    prompt: z.string().max(4_000).optional().openapi({ description: "Text to guide the transcript's style" }),
    response_format: z
      .literal("json")
      .optional()
      .openapi({ description: "Only `json`, the one format OpenAI's gpt-4o transcription models answer" }),
    temperature: z.coerce.number().min(0).max(1).optional(),
    stream: z
      .literal("false", { message: "Streamed transcriptions are not supported: leave `stream` out." })
      .optional(),
  })
  .openapi("TranscriptionRequest");

const TranscriptionResponse = z
  .object({
    text: z.string(),
    usage: z
      .object({
        type: z.literal("tokens"),
        input_tokens: z.number().int(),
        input_token_details: z
          .object({ text_tokens: z.number().int(), audio_tokens: z.number().int() })
          .partial()
          .optional(),
        output_tokens: z.number().int(),
        total_tokens: z.number().int(),
      })
      .optional()
      .openapi({ description: "What the provider billed: audio and text input tokens, output tokens" }),
  })
  .openapi("Transcription");

export function registerTranscriptions(routes: OpenAPIHono<ApiKeyEnv>) {
  routes.openapi(
    createRoute({
      method: "post",
      path: "/audio/transcriptions",
      tags: ["AI"],
      summary:
        "Transcribe audio into text (OpenAI-compatible multipart upload; billed per audio and output token at the model's catalogue prices)",
      security: [{ apiKey: [] }],
      request: {
        body: { required: true, content: { "multipart/form-data": { schema: TranscriptionForm } } },
      },
      responses: {
        200: jsonContent(TranscriptionResponse, "The transcript"),
        ...errorResponses(400, 401, 402, 403, 404, 413, 415, 424, 429, 502, 504),
      },
    }),
    async (c) => {
      const form = c.req.valid("form");
      const key = c.var.apiKey;
      const { answer, requestId, model } = await transcribe(c.env, c.executionCtx as ExecutionContext, {
        accountId: key.accountId,
        keyId: key.keyId,
        spendLimitMicros: key.monthlySpendLimitMicros,
        keyDataPolicy: key.dataPolicy,
        byokProviders: key.byokProviders,
        source: "api",
        model: form.model,
        file: {
          bytes: new Uint8Array(await form.file.arrayBuffer()),
          mimeType: form.file.type || "application/octet-stream",
          filename: form.file.name,
        },
        language: form.language,
        prompt: form.prompt,
        temperature: form.temperature,
        startedAt: c.var.arrivedAt ?? Date.now(),
        requestId: c.var.requestId,
        onMeter: () => c.set("metered", true),
      });
      c.header("x-request-id", requestId);
      c.header("x-model", model.id);
      return c.json(answer as z.infer<typeof TranscriptionResponse>, 200);
    },
  );
}
