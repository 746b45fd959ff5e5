// Asking the number's model for the reply, through the same gateway as the HTTP API (routing, credit, metering
// with source "whatsapp", content logging). A model that can call tools is offered one, `hand_off_to_human`:
// when it calls it, the AI pauses for the contact and a person takes over (hand-off.ts).
import { findModel } from "../ai/catalogue";
import { runAi } from "../ai/gateway";
import { getConfig } from "../config";
import { AppError } from "../errors";

const HAND_OFF_TOOL = "hand_off_to_human";

const handOffTool = {
  type: "function",
  function: {
    name: HAND_OFF_TOOL,
    description:
      "Hand the conversation to a person at the business: call this when the customer asks for a human, is upset, or needs something you cannot do. The assistant then stops answering this customer.",
    parameters: { type: "object", properties: {}, additionalProperties: false },
  },
} as const;

/** A message's content: text, or OpenAI's parts (text and images, as data URLs) for a model with vision. */
export type ChatContent =
  | string
  | ({ type: "text"; text: string } | { type: "image_url"; image_url: { url: string } })[];

export type Asked = { text: string; handOff: boolean };

type Answer = {
  choices?: { message?: { content?: string | null; tool_calls?: { function?: { name?: string } }[] } }[];
};

/** One non-streamed completion; throws AppError (402 out of credit, 5xx upstream) like the HTTP API. */
export async function askModel(
  env: Env,
  ctx: ExecutionContext,
  input: {
    accountId: string;
    model: string;
    messages: { role: "system" | "user" | "assistant"; content: ChatContent }[];
    maxTokens: number;
    /** The contact's keyed hash and the request id the call gets, so its logged copy and log row can be found. */
    contactHash: string;
    requestId: string;
  },
): Promise<Asked> {
  const tools = findModel(getConfig(env), input.model)?.capabilities.includes("tools") ?? false;
  let metered = false;
  const response = await runAi(env, ctx, {
    operation: "chat",
    endpoint: "chat.completions",
    clientDialect: "openai",
    body: {
      model: input.model,
      messages: input.messages,
      max_tokens: input.maxTokens,
      ...(tools ? { tools: [handOffTool], tool_choice: "auto" } : {}),
    },
    accountId: input.accountId,
    keyId: null,
    source: "whatsapp",
    contactHash: input.contactHash,
    requestId: input.requestId,
    startedAt: Date.now(),
    onMetered: () => {
      metered = true;
    },
  });
  const message = ((await response.json()) as Answer).choices?.[0]?.message;
  const handOff = message?.tool_calls?.some((c) => c.function?.name === HAND_OFF_TOOL) ?? false;
  const text = message?.content ?? "";
  if (!metered || (typeof text !== "string" && !handOff)) {
    throw new AppError(502, "The provider sent no text.", { code: "upstream_error", type: "api_error" });
  }
  return { text: typeof text === "string" ? text.trim() : "", handOff };
}
