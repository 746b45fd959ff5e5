// OpenAI-dialect embeddings → Amazon Titan Text Embeddings V2 through Bedrock's InvokeModel
// (`/model/{modelId}/invoke`): `{inputText, dimensions, normalize: true}` in, `{embedding, inputTextTokenCount}` back.
// Titan embeds one text per call, so a request with several inputs is refused naming `input` (one call per input
// would need a fan-out the upstream path does not have). `dimensions` must be one Titan offers; base64 is encoded
// here from the floats. Metered exactly on `inputTextTokenCount`.
import { badRequest } from "../../../errors";
import { base64Floats } from "../base64-floats";
import { withoutIdentity } from "../privacy";
import type { Json, Translation } from "../types";

/** The output sizes Titan Text Embeddings V2 accepts. */
const DIMENSIONS = [256, 512, 1024];

const untranslatable = (param: string, why: string) =>
  badRequest(`'${param}' cannot be sent to a Bedrock Titan model: ${why}`, param, "untranslatable_parameter");

export const titanEmbeddings: Translation = {
  request: (raw, ctx) => {
    const body = withoutIdentity(raw) as Json;
    const inputs: unknown[] = Array.isArray(body.input) ? body.input : [body.input];
    if (!inputs.every((t) => typeof t === "string")) throw untranslatable("input", "only text translates.");
    if (inputs.length !== 1) throw untranslatable("input", "Titan embeds one text per request.");
    if (body.dimensions !== undefined && !DIMENSIONS.includes(body.dimensions)) {
      throw untranslatable("dimensions", `Titan offers ${DIMENSIONS.join(", ")}.`);
    }
    return {
      model: ctx.model.upstreamModel,
      inputText: inputs[0],
      ...(body.dimensions !== undefined ? { dimensions: body.dimensions } : {}),
      normalize: true,
    };
  },
  response: (upstream, ctx) => {
    const tokens =
      typeof upstream.inputTextTokenCount === "number" ? upstream.inputTextTokenCount : undefined;
    const vector = (upstream.embedding ?? []) as number[];
    return {
      body: {
        object: "list",
        data: [
          {
            object: "embedding",
            index: 0,
            embedding: ctx.body.encoding_format === "base64" ? base64Floats(vector) : vector,
          },
        ],
        model: ctx.model.id,
        usage: { prompt_tokens: tokens ?? ctx.estimatedInput, total_tokens: tokens ?? ctx.estimatedInput },
      },
      usage: tokens === undefined ? undefined : { inputTokens: tokens, outputTokens: 0 },
    };
  },
  stream: () => {
    throw new Error("embeddings do not stream");
  },
};
