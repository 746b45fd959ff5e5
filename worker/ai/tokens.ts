// Token estimates for when a provider reports none (a cut stream, a credit reservation): ≈4 characters a token.
export const CHARS_PER_TOKEN = 4;

export function estimateTokens(characters: number): number {
  return Math.ceil(characters / CHARS_PER_TOKEN);
}

/** Characters of every string inside a JSON value (message text, tool arguments), ignoring the structure. */
export function textLength(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + textLength(v), 0);
  if (value && typeof value === "object") {
    let n = 0;
    for (const v of Object.values(value)) n += textLength(v);
    return n;
  }
  return 0;
}
