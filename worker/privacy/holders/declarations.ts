// The pieces the holders' declarations share, written once: recipients, transfers, legal bases, day lists.
import type { Config } from "../../config";

export const HOSTING = "Cloudflare (hosting: Workers, D1, R2, Durable Objects), as processor";
export const PAYMENTS = "Stripe (payments, customer portal), as processor";
export const WHATSAPP = "Meta Platforms (WhatsApp Cloud API), delivering the messages you answer";
("The AI provider of the model a request names (receives the request, never your identity)");

/** The mail provider of the configured transport. */
export function mailRecipient(config: Config): string {
  return config.mail.transport === "resend"
    ? "Resend (email delivery), as processor"
    : "No one: in local mode notices stay in the dev mailbox";
}

/** Where data held on Cloudflare may travel, and on what basis. */
export function hostingTransfers(_config: Config): string {
  return "Cloudflare may process it outside the EEA (including the US): EU–US Data Privacy Framework (Art. 45) and Standard Contractual Clauses in Cloudflare's DPA (Art. 46)";
}

export const LEGAL_BASIS = {
  contract: "Contract (GDPR Art. 6(1)(b)): needed to provide the service you signed up for",
  legitimate: "Legitimate interest (Art. 6(1)(f)): security, abuse prevention and accountability",
  obligation: "Legal obligation (Art. 6(1)(c)): accounting and tax law",
  consent: "Consent (Art. 6(1)(a)), which you can withdraw at any time",
} as const;

/** "1 day, 7 days, 30 days or 90 days". */
export function daysList(days: readonly number[]): string {
  return days
    .map((d) => `${d} day${d === 1 ? "" : "s"}`)
    .join(", ")
    .replace(/, ([^,]*)$/, " or $1");
}
