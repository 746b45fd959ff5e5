// Embeddings exist in the OpenAI dialect only: pass through, swapping the model id.
import { openaiUsage } from "./chat-to-chat";
import { withoutIdentity } from "./privacy";
import type { Translation } from "./types";

export const embeddingsToEmbeddings: Translation = {
  request: (body, ctx) => ({ ...withoutIdentity(body), model: ctx.model.upstreamModel }),
  response: (upstream) => ({
    body: upstream,
    usage: openaiUsage({ completion_tokens: 0, ...(upstream.usage as object) }),
  }),
  stream: () => {
    throw new Error("embeddings do not stream");
  },
};
