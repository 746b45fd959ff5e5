// The interface every translation between a client dialect and a provider dialect implements.
import type { CatalogueModel } from "../catalogue/model";
import type { TokenCounts } from "../catalogue/prices";
import type { Operation } from "../providers/types";
import type { SseEvent } from "../sse";

/** Tokens as the provider reported them: every input token in inputTokens, with the cached reads and cache
 * writes among them counted apart (they are billed at their own prices). */
export type Usage = TokenCounts;

export type TranslationContext = {
  model: CatalogueModel;
  /** The client's validated request body (answers echo its settings; structured output reads its format). */
  body: Record<string, unknown>;
  /** Whether an OpenAI-dialect client asked for the usage chunk (stream_options.include_usage). */
  includeUsage: boolean;
  /** Our input-token estimate, sent where a stream must name input tokens before the provider counts them. */
  estimatedInput: number;
  /** Output-token cap to send when the client gave none and the provider requires one. */
  defaultMaxTokens: number;
};

/** Turns one upstream stream into the client's dialect, noting usage and delivered content on the way. */
export interface StreamTranslator {
  /** Client-facing SSE text for one upstream event ("" to send nothing). */
  event(event: SseEvent): string;
  /** What to send after the upstream ended cleanly. */
  end(): string;
  /** Whether the upstream's closing event arrived (a stream that stops before it was cut). */
  finished(): boolean;
  /** An error event telling the client the stream ended early. */
  cut(message: string): string;
  /** The usage the upstream reported so far. */
  usage(): Partial<Usage>;
  /** Characters of generated content delivered so far, for an estimate when no usage arrives. */
  deliveredChars(): number;
}

export type Translation = {
  /** The provider operation this translation calls, when it differs from the client's (Responses → chat). */
  upstreamOperation?: Operation;
  /** The upstream request body; throws a 400 AppError for anything that cannot be translated. */
  request(body: Record<string, unknown>, ctx: TranslationContext): Record<string, unknown>;
  /** The client's response body and the usage the upstream reported. */
  response(upstream: Record<string, unknown>, ctx: TranslationContext): { body: unknown; usage?: Usage };
  stream(ctx: TranslationContext): StreamTranslator;
};

// biome-ignore lint/suspicious/noExplicitAny: upstream JSON is read defensively field by field
export type Json = any;
