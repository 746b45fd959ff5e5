// The playground's one way to the models: the gateway's own runAi, as an internal caller with source
// "playground" — the same routing, credit reservation, metering and content logging as /v1, never around them.
import { z } from "zod";
import { runAi } from "#worker/ai/gateway";
import { limitRequests } from "#worker/ai/rate-limit";
import { getDb } from "#worker/db";
import { isRestricted, processingRestricted } from "#worker/privacy/rights-requests/restriction";
import { MAX_TOKENS_MAX, PROMPT_MAX, SYSTEM_MAX, TEMPERATURE_MAX, TURNS_MAX, type Turn } from "./playground";

const PLAYGROUND_SOURCE = "playground";
/**
 * Playground requests per account and minute: a person typing prompts, never a way around a key's limit.
 * @internal
 */
export const PLAYGROUND_RPM = 60;

/** An optional number field: blank is "the model's default". */
const optionalNumber = (schema: z.ZodNumber) =>
  z.preprocess((v) => (v === "" || v === undefined ? undefined : Number(v)), schema.optional());

const TurnSchema = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.string().max(PROMPT_MAX * 4),
  requestId: z.string().max(64).nullable().optional(),
  inputTokens: z.number().int().min(0).optional(),
  outputTokens: z.number().int().min(0).optional(),
  costMicros: z.number().int().min(0).optional(),
});

/** The conversation so far, as the page's hidden field carries it (JSON). */
const History = z
  .string()
  .max(1_000_000)
  .optional()
  .transform((text, ctx): unknown => {
    if (!text) return [];
    try {
      return JSON.parse(text);
    } catch {
      ctx.addIssue({ code: "custom", message: "The conversation could not be read; start a new one." });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(TurnSchema, { error: "The conversation could not be read; start a new one." })
      .max(TURNS_MAX, `A conversation holds ${TURNS_MAX} turns; start a new one.`),
  );

export const PlaygroundForm = z.object({
  model: z.string().min(1, "Pick a model.").max(200),
  prompt: z
    .string()
    .trim()
    .min(1, "Write a prompt.")
    .max(PROMPT_MAX, `Keep the prompt under ${PROMPT_MAX.toLocaleString("en-US")} characters.`),
  system: z
    .string()
    .trim()
    .max(SYSTEM_MAX, `Keep the system prompt under ${SYSTEM_MAX.toLocaleString("en-US")} characters.`)
    .optional()
    .default(""),
  temperature: optionalNumber(
    z
      .number({ error: `Enter a number from 0 to ${TEMPERATURE_MAX}, or leave it empty.` })
      .min(0, `Enter a number from 0 to ${TEMPERATURE_MAX}.`)
      .max(TEMPERATURE_MAX, `Enter a number from 0 to ${TEMPERATURE_MAX}.`),
  ),
  maxTokens: optionalNumber(
    z
      .number({ error: "Enter a whole number of tokens, or leave it empty." })
      .int("Enter a whole number of tokens.")
      .min(1, "Enter at least 1 token, or leave it empty.")
      .max(MAX_TOKENS_MAX, `Enter at most ${MAX_TOKENS_MAX.toLocaleString("en-US")} tokens.`),
  ),
  history: History,
});
export type PlaygroundInput = z.infer<typeof PlaygroundForm>;

/** The chat messages of a turn of the conversation: the system prompt, the turns so far, the new prompt. */
function playgroundMessages(input: PlaygroundInput): { role: string; content: string }[] {
  return [
    ...(input.system ? [{ role: "system", content: input.system }] : []),
    ...input.history.map((t: Turn) => ({ role: t.role, content: t.content })),
    { role: "user", content: input.prompt },
  ];
}

/** One playground request through the gateway: an SSE stream when `stream`, else the chat completion JSON. */
export async function playgroundCall(
  env: Env,
  ctx: ExecutionContext,
  accountId: string,
  input: PlaygroundInput,
  stream: boolean,
  requestId: string,
): Promise<Response> {
  // Art. 18: while its holder restricts processing, nothing is sent to a model from here either.
  if (await isRestricted(getDb(env.DB), accountId)) throw processingRestricted();
  await limitRequests(
    env,
    `${PLAYGROUND_SOURCE}:${accountId}`,
    PLAYGROUND_RPM,
    `The playground answers at most ${PLAYGROUND_RPM} requests a minute.`,
  );
  return runAi(env, ctx, {
    operation: "chat",
    endpoint: "chat.completions",
    clientDialect: "openai",
    body: {
      model: input.model,
      messages: playgroundMessages(input),
      ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
      ...(input.maxTokens !== undefined ? { max_tokens: input.maxTokens } : {}),
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    },
    accountId,
    keyId: null,
    source: PLAYGROUND_SOURCE,
    requestId,
    startedAt: Date.now(),
  });
}
