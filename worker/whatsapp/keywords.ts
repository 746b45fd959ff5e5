// The words a contact types to opt out (STOP), opt back in (START) or ask for a person (hand-off): set per
// number, with defaults in the languages most businesses meet. A keyword is the whole message, compared without
// case, accents, punctuation or emoji — "Stop!" and "arrêt" match, "please stop the order" does not.

const DEFAULT_STOP_KEYWORDS = ["STOP", "STOPALL", "UNSUBSCRIBE", "STOPP", "ARRET", "ALTO", "BAJA"];
const DEFAULT_START_KEYWORDS = ["START", "UNSTOP", "RESUME", "DEMARRER", "INICIO"];
const DEFAULT_HAND_OFF_KEYWORDS = ["HUMAN", "AGENT", "PERSON", "HUMAIN", "MENSCH", "AGENTE"];

export type Keywords = { stop: string[]; start: string[]; handOff: string[] };

/** The comparable form of a message or keyword: letters and digits only, upper case, accents dropped. */
function normalizeKeyword(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .toUpperCase();
}

/** A number's keywords: what it set, or the defaults for a list it never set. */
export function keywordsOf(connection: {
  stopKeywords: string[] | null;
  startKeywords: string[] | null;
  handOffKeywords: string[] | null;
}): Keywords {
  return {
    stop: connection.stopKeywords ?? DEFAULT_STOP_KEYWORDS,
    start: connection.startKeywords ?? DEFAULT_START_KEYWORDS,
    handOff: connection.handOffKeywords ?? DEFAULT_HAND_OFF_KEYWORDS,
  };
}

/** Which keyword list the whole message is a word of, if any (stop wins over start, start over hand-off). */
export function keywordOf(text: string | null, keywords: Keywords): "stop" | "start" | "hand_off" | null {
  if (text === null) return null;
  const said = normalizeKeyword(text);
  if (!said) return null;
  const has = (list: string[]) => list.some((k) => normalizeKeyword(k) === said);
  if (has(keywords.stop)) return "stop";
  if (has(keywords.start)) return "start";
  if (has(keywords.handOff)) return "hand_off";
  return null;
}
