// Out of Chat Completions into another wire format: the refusal of what the target cannot carry (named for the
// provider, never silently dropped) and a message's text parts joined, as every such translation reads them.
import { badRequest } from "../../errors";
import { isNoOp } from "./known-fields";
import type { Json } from "./types";

export type Untranslatable = (param: string, why: string) => Error;

/** The 400 `untranslatable_parameter` for a provider: "'messages[0].content' cannot be sent to a Gemini model: …". */
export const untranslatableTo =
  (provider: string): Untranslatable =>
  (param, why) =>
    badRequest(`'${param}' cannot be sent to ${provider} model: ${why}`, param, "untranslatable_parameter");

/** A message's content as text: a string, nothing, or text parts joined by newlines (any other part is refused). */
export function textOf(content: Json, param: string, untranslatable: Untranslatable): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  return (content as Json[])
    .map((part) => {
      if (part.type !== "text") throw untranslatable(param, "only text is allowed here.");
      return part.text;
    })
    .join("\n");
}

/** OpenAI parameters no other wire format has; each translation adds the ones its target lacks too. */
export const OPENAI_ONLY = [
  "logprobs",
  "top_logprobs",
  "logit_bias",
  "audio",
  "modalities",
  "prediction",
  "web_search_options",
  "reasoning_effort",
] as const;

/** Refuses the first of `refused` the body sets to more than its no-op value. */
export function refuseParameters(
  body: Json,
  refused: readonly string[],
  untranslatable: Untranslatable,
  why: string,
): void {
  for (const param of refused) {
    if (!isNoOp(param, body[param])) throw untranslatable(param, why);
  }
}
