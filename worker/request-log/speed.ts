// Time to first token and output speed of one logged request, read one way by the API, the CSV and the pages.
//
// `firstTokenMs` (kept per row since the request log stores it; metering.ts takes it from the request's
// `firstByteAt`) is the ms from the request's start until our answer began to reach the client:
// - a stream: when its first event was relayed to the client (worker/ai/relay.ts's `onFirstSend`) — not when
//   the stream's headers went out, which can be long before the provider's first token;
// - a whole answer: when the answer left, every token at once (so it is the latency less the bookkeeping after);
// - null when no answer began (refused, or failed before the provider answered) and on rows logged before it
//   was kept.
import type { LoggedRow } from "./query";

type Timed = Pick<LoggedRow, "outputTokens" | "latencyMs" | "firstTokenMs" | "streamed">;

/**
 * Output tokens a second, one decimal: a stream's over the time after its first token (the generation), a whole
 * answer's over the whole request. null when there is no output or no time to divide by.
 */
export function outputTokensPerSecond(r: Timed): number | null {
  const span = r.streamed && r.firstTokenMs !== null ? r.latencyMs - r.firstTokenMs : r.latencyMs;
  if (r.outputTokens <= 0 || span <= 0) return null;
  return Math.round((r.outputTokens * 10_000) / span) / 10;
}
