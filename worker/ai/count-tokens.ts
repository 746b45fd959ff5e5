// POST /v1/messages/count_tokens: exact where the provider counts (Anthropic's count endpoint), otherwise our
// documented estimate (≈4 characters a token over every string of the request). Never billed, never metered.
import { getConfig } from "../config";
import { AppError, badRequest } from "../errors";
import { requireModel } from "./catalogue/require";
import { providers } from "./providers/registry";
import { estimateTokens, textLength } from "./tokens";
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
  const chars = textLength(body.messages) + textLength(body.system) + textLength(body.tools);
  if (!provider.paths.count_tokens) return { input_tokens: estimateTokens(chars), method: "estimate" };
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
