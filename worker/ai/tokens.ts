// Counting a request's input tokens. Two tools: a cheap walk that sees every input form (text, token-id arrays,
// images, files, tool schemas) and estimates ≈4 characters a token, and — where a count must be real — OpenAI's
// own tokenizer (o200k_base, gpt-tokenizer), loaded on first use only: its ranks cost ≈0.3–1.3 s of CPU to load
// and ≈0.2 ms per 1,000 characters to count (ADR 026), so the hot path keeps the estimate and reaches for the
// tokenizer only near a model's context limit, for count_tokens and for an Anthropic-dialect stream's
// message_start of an OpenAI model.
import { badRequest } from "../errors";

const CHARS_PER_TOKEN = 4;

/** Deeper JSON than any real request needs; refused (400) before anything recursive touches it. */
export const MAX_JSON_DEPTH = 64;

/**
 * Tokens an image may cost, at most: Anthropic's ≈1,600 for its largest image (1.15 megapixels), OpenAI's gpt-4o
 * at high detail 1,445 (85 + 8 tiles of 170). Models that bill an image at a multiple of that (gpt-4o-mini counts
 * 2,833 + 5,667 a tile at its 33× lower price) are reserved less in tokens but not in dollars (ADR 026).
 * @internal
 */
export const IMAGE_TOKENS = 1_600;

/**
 * A file or audio clip: one token per 32 bytes of its data (≈3,000 tokens a 100 KB PDF page), at least an image's.
 * @internal
 */
export const FILE_BYTES_PER_TOKEN = 32;

/**
 * The most input one embeddings request may carry, whatever the model: OpenAI's limit (300,000 tokens).
 * @internal
 */
export const EMBEDDINGS_REQUEST_TOKENS = 300_000;

export function estimateTokens(characters: number): number {
  return Math.ceil(characters / CHARS_PER_TOKEN);
}

/** Every input form of a request, counted without a tokenizer. */
export type InputShape = {
  /** The text of the request (message text, instructions, tool schemas as JSON), for a tokenizer. */
  texts: string[];
  /** Characters of those texts. */
  chars: number;
  /** Tokens given as token ids (embeddings input as number arrays): exact. */
  tokenIds: number;
  images: number;
  /** Tokens of files and audio, by their size. */
  fileTokens: number;
  /** Embeddings only: each input apart (a model's context bounds each input, not their sum). */
  inputs: { tokenIds: number; texts: string[] }[];
};

const IMAGE_TYPES = new Set(["image", "image_url", "input_image"]);
const FILE_TYPES = new Set(["file", "input_file", "document", "input_audio"]);
/** Top-level fields whose whole JSON is input (a schema's keys count, not only its strings). */
const SCHEMA_FIELDS = new Set(["tools", "functions", "response_format", "text"]);

function tooDeep(): never {
  throw badRequest(
    `The request nests JSON deeper than ${MAX_JSON_DEPTH} levels.`,
    undefined,
    "nesting_too_deep",
  );
}

function isTokenIds(v: unknown): v is number[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number");
}

/** Characters of every string inside a JSON value (message text, tool arguments), ignoring the structure.
 * Walks without recursion, and refuses nesting deeper than MAX_JSON_DEPTH with a 400. */
export function textLength(value: unknown): number {
  return strings(value, 0).reduce((n, s) => n + s.length, 0);
}

/** Every string inside a JSON value, without recursion; nesting deeper than MAX_JSON_DEPTH is a 400. */
function strings(value: unknown, startDepth: number, shape?: InputShape): string[] {
  const out: string[] = [];
  const stack: [unknown, number][] = [[value, startDepth]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === "string") out.push(v);
    else if (v && typeof v === "object") {
      if (depth >= MAX_JSON_DEPTH) tooDeep();
      if (shape && !Array.isArray(v) && media(v as Record<string, unknown>, shape)) continue;
      for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
    }
  }
  return out;
}

/** An image or a file part is counted by kind and size, never as text (base64 is not language). */
function media(part: Record<string, unknown>, shape: InputShape): boolean {
  const type = part.type;
  if (typeof type !== "string") return false;
  if (IMAGE_TYPES.has(type)) {
    shape.images += 1;
    return true;
  }
  if (!FILE_TYPES.has(type)) return false;
  const source = part.source as { type?: unknown; data?: unknown } | undefined;
  // An Anthropic document given as plain text is text.
  if (source?.type === "text" && typeof source.data === "string") return false;
  const bytes = strings(part, 0).reduce((n, s) => n + s.length, 0);
  shape.fileTokens += Math.max(IMAGE_TOKENS, Math.ceil(bytes / FILE_BYTES_PER_TOKEN));
  return true;
}

/** A request body's input in every form, in one walk. Nesting deeper than MAX_JSON_DEPTH is a 400. */
export function inputShape(body: Record<string, unknown>, embeddings = false): InputShape {
  const shape: InputShape = { texts: [], chars: 0, tokenIds: 0, images: 0, fileTokens: 0, inputs: [] };
  const add = (texts: string[]) => {
    for (const t of texts) {
      shape.texts.push(t);
      shape.chars += t.length;
    }
  };
  for (const [key, value] of Object.entries(body)) {
    if (embeddings && key === "input") {
      const many = Array.isArray(value) && !isTokenIds(value);
      for (const one of many ? value : [value]) {
        if (isTokenIds(one)) {
          shape.tokenIds += one.length;
          shape.inputs.push({ tokenIds: one.length, texts: [] });
        } else {
          const texts = strings(one, many ? 2 : 1);
          add(texts);
          shape.inputs.push({ tokenIds: 0, texts });
        }
      }
    } else if (SCHEMA_FIELDS.has(key) && value && typeof value === "object") {
      strings(value, 1); // the depth check
      add([JSON.stringify(value)]);
    } else if (key !== "model") {
      add(strings(value, 1, shape));
    }
  }
  return shape;
}

/** The estimate: ≈4 characters a text token, token ids exact, images and files at their worst case. */
export function estimatedInputTokens(shape: InputShape): number {
  return estimateTokens(shape.chars) + shape.tokenIds + shape.images * IMAGE_TOKENS + shape.fileTokens;
}

type Encoder = typeof import("gpt-tokenizer/encoding/o200k_base");
let encoder: Promise<Encoder> | undefined;

/** OpenAI's o200k_base tokenizer, loaded once per isolate on first use (never at startup). */
function o200k(): Promise<Encoder> {
  encoder ??= import("gpt-tokenizer/encoding/o200k_base");
  return encoder;
}

/**
 * The shape's input with its text counted by the tokenizer (images, files and token ids as in the estimate).
 * @internal
 */
export async function countedInputTokens(shape: InputShape): Promise<number> {
  const { countTokens } = await o200k();
  let tokens = shape.tokenIds + shape.images * IMAGE_TOKENS + shape.fileTokens;
  for (const text of shape.texts) tokens += countTokens(text);
  return tokens;
}

/** Tokens a chat message's content holds as text (a string, or the text of its parts). */
function contentText(content: unknown): string[] {
  if (typeof content === "string") return [content];
  if (!Array.isArray(content)) return [];
  return content.flatMap((p: { type?: unknown; text?: unknown }) =>
    typeof p?.text === "string" ? [p.text] : [],
  );
}

/**
 * An OpenAI chat request's prompt tokens as OpenAI counts them: each message framed as
 * `<|im_start|>role<|im_sep|>content<|im_end|>` (3 tokens beside its role and content, a name 1 more), the
 * reply's `<|im_start|>assistant<|im_sep|>` (3), tool calls and tool schemas as their JSON, images and files at
 * their worst case.
 */
export async function chatPromptTokens(body: Record<string, unknown>): Promise<number> {
  const { countTokens } = await o200k();
  const messages = Array.isArray(body.messages) ? (body.messages as Record<string, unknown>[]) : [];
  let tokens = 3;
  for (const m of messages) {
    tokens += 3 + countTokens(String(m.role ?? ""));
    for (const text of contentText(m.content)) tokens += countTokens(text);
    if (typeof m.name === "string") tokens += 1 + countTokens(m.name);
    if (m.tool_calls) tokens += countTokens(JSON.stringify(m.tool_calls));
    const media = inputShape({ content: m.content });
    tokens += media.images * IMAGE_TOKENS + media.fileTokens;
  }
  if (Array.isArray(body.tools) && body.tools.length) tokens += countTokens(JSON.stringify(body.tools));
  return tokens;
}

/** Text longer than this is counted by the tokenizer before it is refused or sent near a context limit. */
const NEAR = 0.5;

/**
 * A request's input tokens for its reservation, refused with 400 context_length_exceeded when the model cannot
 * take it — nothing is reserved or forwarded then. Chat: the whole input against the context window; an estimate
 * that reaches half of it is counted by the tokenizer (OpenAI's own for OpenAI-family models), so a request is
 * refused only when it is really too long. Embeddings: each input against the model's context, all of them
 * against EMBEDDINGS_REQUEST_TOKENS.
 */
export async function reservedInputTokens(
  body: Record<string, unknown>,
  model: { id: string; kind: string; contextTokens: number },
  tokenizer: boolean,
): Promise<number> {
  const embeddings = model.kind === "embedding";
  const shape = inputShape(body, embeddings);
  const near = model.contextTokens * NEAR;
  let tokens = estimatedInputTokens(shape);
  if (tokenizer && tokens >= near) tokens = await countedInputTokens(shape);
  if (!embeddings) {
    if (tokens > model.contextTokens) {
      throw tooLong(
        `The input is longer than ${model.id}'s context of ${model.contextTokens} tokens.`,
        "messages",
      );
    }
    return tokens;
  }
  for (const one of shape.inputs) {
    const part = {
      ...shape,
      ...one,
      chars: one.texts.reduce((n, s) => n + s.length, 0),
      images: 0,
      fileTokens: 0,
    };
    let size = estimatedInputTokens(part);
    if (tokenizer && size >= near) size = await countedInputTokens(part);
    if (size > model.contextTokens) {
      throw tooLong(`An input is longer than ${model.id}'s limit of ${model.contextTokens} tokens.`, "input");
    }
  }
  if (tokens > EMBEDDINGS_REQUEST_TOKENS) {
    throw tooLong(`The inputs hold more than ${EMBEDDINGS_REQUEST_TOKENS} tokens in all.`, "input");
  }
  return tokens;
}

function tooLong(message: string, param: string) {
  return badRequest(message, param, "context_length_exceeded");
}
