// What the playground page and its server side agree on.

/** The longest prompt the playground sends. */
export const PROMPT_MAX = 20_000;
