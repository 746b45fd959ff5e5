// A reply longer than WhatsApp's 4,096-character text limit goes as several messages, cut where a reader
// would pause: between paragraphs, else between sentences, else at a space — never mid-word unless a single
// "word" is longer than the limit.

/** WhatsApp's limit on a text message body. */
export const MAX_TEXT_LENGTH = 4096;

/** Pieces of at most `max` characters each whose concatenation (with the cut whitespace) is the text. */
function cut(text: string, max: number, separator: RegExp): string[] {
  const pieces = text.split(separator);
  const out: string[] = [];
  let current = "";
  for (const piece of pieces) {
    const joined = current ? `${current}${piece}` : piece;
    if (joined.length <= max) {
      current = joined;
      continue;
    }
    if (current) out.push(current);
    current = piece;
  }
  if (current) out.push(current);
  return out;
}

/** The reply as messages of at most `max` characters, in order, each trimmed. */
export function splitReply(text: string, max = MAX_TEXT_LENGTH): string[] {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed ? [trimmed] : [];
  const parts: string[] = [];
  // Split keeping the separator with the piece before it, so joining pieces back never loses a character.
  for (const paragraph of cut(trimmed, max, /(?<=\n\s*\n)/)) {
    if (paragraph.length <= max) {
      parts.push(paragraph);
      continue;
    }
    for (const sentence of cut(paragraph, max, /(?<=[.!?…。]\s+)/)) {
      if (sentence.length <= max) {
        parts.push(sentence);
        continue;
      }
      for (const words of cut(sentence, max, /(?<=\s)/)) {
        for (let i = 0; i < words.length; i += max) parts.push(words.slice(i, i + max));
      }
    }
  }
  return parts.map((p) => p.trim()).filter(Boolean);
}
