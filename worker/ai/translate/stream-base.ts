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
   * output count — sometimes input too — in message_delta. */
  protected noteAnthropicUsage(e: Json): void {
    if (e.type === "message_start") {
      const { inputTokens, cachedInputTokens, cacheWriteTokens } = anthropicUsage(e.message?.usage);
      Object.assign(this.reported, { inputTokens, cachedInputTokens, cacheWriteTokens });
    }
    if (e.type !== "message_delta") return;
    const usage = anthropicUsage(e.usage);
    if (usage.outputTokens !== undefined) this.reported.outputTokens = usage.outputTokens;
    if (usage.inputTokens !== undefined && this.reported.inputTokens === undefined) {
      this.reported.inputTokens = usage.inputTokens;
      this.reported.cachedInputTokens = usage.cachedInputTokens;
      this.reported.cacheWriteTokens = usage.cacheWriteTokens;
    }
  }
}
