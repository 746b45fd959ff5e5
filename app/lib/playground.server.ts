// The playground's one way to the models: the gateway's own runAi, as an internal caller with source
// "playground" — the same routing, credit reservation, metering and content logging as /v1, never around them.
import { z } from "zod";
import { runAi } from "#worker/ai/gateway";
import { limitRequests } from "#worker/ai/rate-limit";
import { PROMPT_MAX } from "./playground";

const PLAYGROUND_SOURCE = "playground";
/**
 * Playground requests per account and minute: a person typing prompts, never a way around a key's limit.
 * @internal
 */
export const PLAYGROUND_RPM = 60;

export const PlaygroundForm = z.object({
  model: z.string().min(1, "Pick a model.").max(200),
  prompt: z
    .string()
    .trim()
    .min(1, "Write a prompt.")
    .max(PROMPT_MAX, `Keep the prompt under ${PROMPT_MAX.toLocaleString("en-US")} characters.`),
});

/** One playground request through the gateway: an SSE stream when `stream`, else the chat completion JSON. */
export async function playgroundCall(
  env: Env,
  ctx: ExecutionContext,
  accountId: string,
  input: z.infer<typeof PlaygroundForm>,
  stream: boolean,
  requestId: string,
): Promise<Response> {
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
      messages: [{ role: "user", content: input.prompt }],
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    },
    accountId,
    keyId: null,
    source: PLAYGROUND_SOURCE,
    requestId,
    startedAt: Date.now(),
  });
}
