// What GDPR Art. 15 asks an export to explain besides the data: purposes, recipients, retention, rights.
import type { Config } from "../../config";
import { durationText } from "../../time";
import { EXPORT_TTL_MS } from "./job";

export function processingInfo(config: Config) {
  return {
    controller: { name: config.appName, privacyContact: config.privacyContact },
    purposes: [
      "Providing the AI API and dashboard you signed up for (contract)",
      "Metering usage and billing it (contract, legal obligation for invoices)",
      "Security: hashed keys, rate limits, abuse prevention (legitimate interest)",
      "Technical notices you can switch off in your privacy settings (legitimate interest)",
      "Training use of logged content only with your explicit consent (consent)",
    ],
    recipients: [
      "AI providers receive the requests you send, under our key, without your identity",
      "Stripe processes payments; we never see card data",
      "Meta (WhatsApp Cloud API) if you connected WhatsApp",
    ],
    retention: {
      content: `Only if you turned content logging on; kept for the period you chose (${config.policy.retentionChoicesDays.join(", ")} days), then deleted`,
      usage: "For as long as the account exists",
      invoices: "Kept pseudonymised after deletion for as long as tax law requires (up to 10 years)",
      exports: `Export files expire ${durationText(EXPORT_TTL_MS)} after they are ready`,
    },
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
