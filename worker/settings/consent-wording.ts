// The words a person sees when they flip a consent switch, written once: the dashboard shows them, the API
// documents them, and each consent event stores the SHA-256 of the wording in force, so the history can
// show exactly what was agreed to. A wording that changes moves to `earlier` (never edited, never dropped).
import type { consentSettings } from "../../db/schema";
import { sha256Hex } from "../crypto/encoding";

type Switch = (typeof consentSettings)[number];

/** The wording in force for each switch. */
export const CONSENT_WORDING: Record<Switch, string> = {
  trainingConsent:
    "I agree that content logged while I consent may be included in model training data. Only content logged while I consent is used, and only while I still consent; WhatsApp conversations never are. I can withdraw at any time, with one click.",
  contentLogging:
    "Keep my prompts and responses, encrypted with a key unique to my account, for the period I choose; they are then deleted automatically.",
  notices: "Send me technical notices (low balance, finished exports).",
};

/** Wordings once in force and since replaced: kept so older events still show what was agreed to. */
const earlier: string[] = [];

export const wordingHash = (text: string): Promise<string> => sha256Hex(text);

let byHash: Map<string, string> | undefined;

/** The wording a stored hash names; null for events recorded before wordings were hashed. */
export async function wordingFor(hash: string | null): Promise<string | null> {
  if (!hash) return null;
  if (!byHash) {
    const all = [...Object.values(CONSENT_WORDING), ...earlier];
    byHash = new Map(await Promise.all(all.map(async (t) => [await wordingHash(t), t] as const)));
  }
  return byHash.get(hash) ?? null;
}
