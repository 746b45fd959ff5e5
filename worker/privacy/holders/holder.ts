// The contract every capability's data holder fulfils, so export and deletion cover new data
// without edits in the middle: add a holder to the registry and both pick it up.
import type { Config } from "../../config";
import type { DataKey } from "../../content/data-keys";

/** A page of exported records; `next` is the cursor for the following page, null when done. */
export type ExportPage = { rows: unknown[]; next: string | null };

/** Progress of one erase call: how many records went, and where to resume (null when done). */
export type ErasePage = { erased: number; next: string | null };

/** What deletion keeps on purpose, for the receipt. */
export type Retained = {
  what: string;
  legalBasis: string;
  until: string;
  /** The latest date anything kept under this entry is deleted (YYYY-MM-DD). */
  untilDate?: string;
};

/** What an export may read of the account's own Durable Object, which runs it (so no RPC to itself). */
type HeldState = {
  /** The account's usable data key; null when it was never created or is destroyed. */
  dataKey(): Promise<DataKey | null>;
  /** One page of the account's request log (its recent rows and sealed segments, both in the object). */
  requestLog(cursor: string | null): Promise<ExportPage>;
};

type EraseContext = {
  /** Random per deletion; stands in for the account id in anything kept under legal obligation. */
  token: string;
  now: Date;
};

/**
 * What a holder declares about its processing (GDPR Art. 30(1)): the records of processing, the export's
 * processing section and the policy's retention table are all generated from these, so they cannot drift.
 */
export type Processing = {
  /** Why it is kept (Art. 30(1)(b)). */
  purpose: string;
  /** Art. 6 basis, in words. */
  legalBasis: string;
  /** Categories of personal data (Art. 30(1)(c)). */
  categories: string[];
  /** Who receives it besides us: processors and other recipients (Art. 30(1)(d)). */
  recipients: string[];
  /** How long it is kept, in the words every retention text uses (Art. 30(1)(f)). */
  retention: string;
  /** Transfers outside the EEA and their safeguards (Art. 30(1)(e)). */
  transfers: string;
};

export interface DataHolder {
  /** Stable key in the export and the deletion receipt. */
  name: string;
  /** One line for the export's summary and the receipt: what this is. */
  description: string;
  /** Where it lives, for the receipt ("D1 table usage_events", "R2 content/*\/<account>/"). */
  location: string;
  /** Null when the holder's data is not part of the export (e.g. the export files themselves). */
  export:
    | ((env: Env, accountId: string, cursor: string | null, held: HeldState) => Promise<ExportPage>)
    | null;
  /** Erases one bounded batch; safe to repeat after a crash (idempotent). */
  erase(env: Env, accountId: string, cursor: string | null, context: EraseContext): Promise<ErasePage>;
  /** Its declaration of processing (read with the running configuration). */
  processing: (config: Config) => Processing;
  /** What this holder keeps after erasure, and why (legal retention). */
  retains?: (now: Date) => Retained[];
}
