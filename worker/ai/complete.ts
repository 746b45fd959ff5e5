// The AI API for the platform's own capabilities (e.g. WhatsApp): the same model routing, credit seam,
// metering (a usage row with no key and the caller's source) and errors as the HTTP API, as a function call.
import { AppError } from "../errors";
import { runAi } from "./gateway";

/** A message's content: text, or OpenAI's parts (text and images, as data URLs) for a model with vision. */
export type ChatContent =
  | string
  | ({ type: "text"; text: string } | { type: "image_url"; image_url: { url: string } })[];

export type CompleteChatInput = {
  accountId: string;
  model: string;
  messages: { role: "system" | "user" | "assistant"; content: ChatContent }[];
  maxTokens?: number;
  /** Who is asking, recorded on the usage row (e.g. "whatsapp"). */
  source: string;
};

export type CompleteChatResult = {
  text: string;
  usage: { inputTokens: number; outputTokens: number; costMicros: number };
};

/** One non-streamed chat completion; throws AppError (402 out of credit, 404 unknown model, 5xx upstream). */
export async function completeChat(
  env: Env,
  ctx: ExecutionContext,
  input: CompleteChatInput,
): Promise<CompleteChatResult> {
  let metered: CompleteChatResult["usage"] | undefined;
  const response = await runAi(env, ctx, {
    operation: "chat",
    endpoint: "chat.completions",
    clientDialect: "openai",
    body: {
      model: input.model,
      messages: input.messages,
      ...(input.maxTokens !== undefined ? { max_tokens: input.maxTokens } : {}),
    },
    accountId: input.accountId,
    keyId: null,
    source: input.source,
    startedAt: Date.now(),
    onMetered: (usage) => {
      metered = usage;
    },
  });
  const body = (await response.json()) as { choices?: { message?: { content?: string | null } }[] };
  const text = body.choices?.[0]?.message?.content;
  if (typeof text !== "string" || !metered) {
    throw new AppError(502, "The provider sent no text.", { code: "upstream_error", type: "api_error" });
  }
  return { text, usage: metered };
}
