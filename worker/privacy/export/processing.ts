// What GDPR Art. 15 asks an export to explain besides the data: purposes, recipients, retention, transfers,
// rights — generated from the holders' declarations (worker/privacy/records.ts), the same registry the records
// of processing and the policy's retention table read.
import type { Config } from "../../config";
import { processingRecords, retentionLines } from "../records";

const unique = (items: string[]) => [...new Set(items)];

export function processingInfo(config: Config) {
  const records = processingRecords(config);
  return {
    controller: { name: config.appName, privacyContact: config.privacyContact },
    purposes: unique(records.map((r) => `${r.purpose} — ${r.legalBasis}`)),
    recipients: unique(records.flatMap((r) => r.recipients)),
    retention: retentionLines(config),
    transfers: unique(records.map((r) => r.transfers)),
    records: records.map(({ holder, purpose, legalBasis, categories, recipients, retention, transfers }) => ({
      holder,
      purpose,
      legalBasis,
      categories,
      recipients,
      retention,
      transfers,
    })),
    rights: [
      "Access and portability (this export)",
      "Rectification (edit your profile)",
      "Erasure (delete your account from the dashboard or by email)",
      "Objection (switch off content logging, training use and notices)",
      `Complaint to a supervisory authority; questions to ${config.privacyContact}`,
    ],
    source: "You, and your use of the service",
    automatedDecisions: "None with legal or similarly significant effects",
  };
}
