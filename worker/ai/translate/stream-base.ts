// What every stream translator keeps while relaying: the usage the upstream reported so far, the characters of
// content delivered (for an estimate when no usage arrives), and whether the upstream's closing event came.

import type { SseEvent } from "../sse";
import { anthropicEventChars, anthropicUsage } from "./anthropic";
import type { Json, StreamTranslator, Usage } from "./types";

export abstract class StreamTranslatorBase implements StreamTranslator {
  protected reported: Partial<Usage> = {};
  protected chars = 0;
  protected done = false;

  abstract event(event: SseEvent): string;
  abstract cut(message: string): string;

  end(): string {
    return "";
  }
  finished(): boolean {
    return this.done;
  }
  usage(): Partial<Usage> {
    return this.reported;
  }
  deliveredChars(): number {
    return this.chars;
  }

  /** An Anthropic event read once for every translator: parsed (undefined if it is not JSON), its content
   * characters counted and its usage noted. */
  protected readAnthropicEvent(event: SseEvent): Json | undefined {
    let e: Json;
    try {
      e = JSON.parse(event.data);
    } catch {
      return undefined;
    }
    this.chars += anthropicEventChars(e);
    this.noteAnthropicUsage(e);
    return e;
  }

  /** Anthropic streams give input tokens in message_start (its output count is a placeholder) and the final
   * counts in message_delta: cumulative, per Anthropic's streaming reference, so an input count there is the final
   * one (larger than message_start's when server tools ran; the provider's own where message_start carried our
   * estimate, as a Messages stream translated from Chat does). A cache count it leaves out keeps message_start's. */
  protected noteAnthropicUsage(e: Json): void {
    if (e.type === "message_start") {
      const { inputTokens, cachedInputTokens, cacheWriteTokens } = anthropicUsage(e.message?.usage);
      Object.assign(this.reported, { inputTokens, cachedInputTokens, cacheWriteTokens });
    }
    if (e.type !== "message_delta") return;
    const usage = e.usage ?? {};
    if (typeof usage.output_tokens === "number") this.reported.outputTokens = usage.output_tokens;
    if (typeof usage.input_tokens !== "number") return;
    const count = (n: unknown, before: number | undefined) => (typeof n === "number" ? n : (before ?? 0));
    const read = count(usage.cache_read_input_tokens, this.reported.cachedInputTokens);
    const written = count(usage.cache_creation_input_tokens, this.reported.cacheWriteTokens);
    Object.assign(this.reported, {
      inputTokens: usage.input_tokens + read + written,
      cachedInputTokens: read,
      cacheWriteTokens: written,
    });
  }
}
