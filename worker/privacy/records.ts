// The one registry of processing: every data holder's declaration, read with the running configuration.
// The records of processing (/admin/records), the export's processing section and the policy's retention
// table all come from here, so none can say something the holders do not declare.
import type { Config } from "../config";
import { holders } from "./holders";
import type { Processing } from "./holders/holder";

export type ProcessingRecord = Processing & {
  holder: string;
  /** What is held, in one line. */
  what: string;
  /** Where it lives. */
  location: string;
};

export function processingRecords(config: Config): ProcessingRecord[] {
  return holders.map((h) => {
    const processing = h.processing(config);
    return { holder: h.name, what: h.description || processing.purpose, location: h.location, ...processing };
  });
}

/** The retention list every text that lists retention uses: one line per holder, in registry order. */
export function retentionLines(config: Config): { holder: string; what: string; retention: string }[] {
  return processingRecords(config).map(({ holder, what, retention }) => ({ holder, what, retention }));
}
