// POST /v1/messages/count_tokens: exact where the provider counts (Anthropic's count endpoint); for OpenAI-family
// models OpenAI's own tokenizer over the request as it would be sent (the number the provider will report);
// otherwise our documented estimate (≈4 characters a token, every input form). Never billed, never metered.
import { getConfig } from "../config";
import { AppError, badRequest } from "../errors";
import { requireModel } from "./catalogue/require";
import { providers } from "./providers/registry";
import { chatPromptTokens, estimatedInputTokens, inputShape } from "./tokens";
import { translationFor } from "./translate";
import { withoutIdentity } from "./translate/privacy";
import { callUpstream, Deadline } from "./upstream";

export type TokenCount = { input_tokens: number; method: "exact" | "estimate" };

export async function countTokens(env: Env, body: Record<string, unknown>): Promise<TokenCount> {
  const config = getConfig(env);
  const id = String(body.model);
  const model = requireModel(config, id);
  if (model.kind !== "chat") {
    throw badRequest(`The model '${id}' cannot be used for messages.`, "model", "model_not_supported");
  }
  const provider = providers[model.provider];
  // Also refuses JSON nested too deep (400) before anything recursive touches it.
  const shape = inputShape({ messages: body.messages, system: body.system, tools: body.tools });
  if (model.provider === "openai") {
    const context = { model, body, includeUsage: false, estimatedInput: 0, defaultMaxTokens: 1 };
    const upstream = translationFor("anthropic", provider, "chat").request(body, context);
    return { input_tokens: await chatPromptTokens(upstream), method: "exact" };
  }
  if (!provider.paths.count_tokens) return { input_tokens: estimatedInputTokens(shape), method: "estimate" };
  const deadline = new Deadline(config.ai.timeoutMs);
  try {
    const upstream = { ...withoutIdentity(body), model: model.upstreamModel };
    const result = await callUpstream(config, provider, "count_tokens", upstream, deadline);
    if (!result.ok) throw result.error;
    const answer = (await result.response.json().catch(() => ({}))) as { input_tokens?: unknown };
    if (typeof answer.input_tokens !== "number") {
      throw new AppError(502, "The provider sent an unreadable count.", {
        code: "upstream_error",
        type: "api_error",
      });
    }
    return { input_tokens: answer.input_tokens, method: "exact" };
  } finally {
    deadline.disarm();
  }
}
