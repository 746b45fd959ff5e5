// Token estimates for when a provider reports none (a cut stream, a credit reservation): ≈4 characters a token.
import { badRequest } from "../errors";

const CHARS_PER_TOKEN = 4;

/** Deeper JSON than any real request needs; refused (400) before anything recursive touches it. */
export const MAX_JSON_DEPTH = 64;

export function estimateTokens(characters: number): number {
  return Math.ceil(characters / CHARS_PER_TOKEN);
}

/** Characters of every string inside a JSON value (message text, tool arguments), ignoring the structure.
 * Walks without recursion, and refuses nesting deeper than MAX_JSON_DEPTH with a 400. */
export function textLength(value: unknown): number {
  let n = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === "string") n += v.length;
    else if (v && typeof v === "object") {
      if (depth >= MAX_JSON_DEPTH) {
        throw badRequest(
          `The request nests JSON deeper than ${MAX_JSON_DEPTH} levels.`,
          undefined,
          "nesting_too_deep",
        );
      }
      for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
    }
  }
  return n;
}
