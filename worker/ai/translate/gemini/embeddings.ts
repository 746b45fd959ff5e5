// OpenAI-dialect embeddings → Gemini's `models/{model}:batchEmbedContents`: each input a request with one text
// part (`dimensions` → outputDimensionality), the embeddings' `values` back as OpenAI's list. Gemini reports no
// token counts for embeddings, so the answer carries none: the request is metered on the estimate (marked so).
import { badRequest } from "../../../errors";
import { withoutIdentity } from "../privacy";
import type { Json, Translation } from "../types";

const untranslatable = (param: string, why: string) =>
  badRequest(`'${param}' cannot be sent to a Gemini model: ${why}`, param, "untranslatable_parameter");

export const geminiEmbeddings: Translation = {
  request: (raw, ctx) => {
    const body = withoutIdentity(raw) as Json;
    const inputs: unknown[] = Array.isArray(body.input) ? body.input : [body.input];
    if (!inputs.every((t) => typeof t === "string")) throw untranslatable("input", "only text translates.");
    if (body.encoding_format === "base64") throw untranslatable("encoding_format", "floats only.");
    const model = `models/${ctx.model.upstreamModel}`;
    return {
      model: ctx.model.upstreamModel,
      requests: inputs.map((text) => ({
        model,
        content: { parts: [{ text }] },
        ...(typeof body.dimensions === "number" ? { outputDimensionality: body.dimensions } : {}),
      })),
    };
  },
  response: (upstream, ctx) => ({
    body: {
      object: "list",
      data: ((upstream.embeddings ?? []) as Json[]).map((e, index) => ({
        object: "embedding",
        index,
        embedding: e.values,
      })),
      model: ctx.model.id,
      usage: { prompt_tokens: ctx.estimatedInput, total_tokens: ctx.estimatedInput },
    },
    usage: undefined,
  }),
  stream: () => {
    throw new Error("embeddings do not stream");
  },
};
