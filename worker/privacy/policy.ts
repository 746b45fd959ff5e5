// The privacy policy as data, built from the running configuration: the /privacy page renders it and
// GET /api/privacy/policy returns it, so neither can promise what the configuration does not enforce.
import { z } from "@hono/zod-openapi";
import type { Config } from "../config";
import { hostingLocation, subprocessors } from "../legal/subprocessors";
import { durationText } from "../time";
import { METADATA_RETENTION_DAYS, WINDOW_MS } from "../whatsapp/window";
import { daysList } from "./holders/declarations";
import { retentionLines } from "./records";

const Facts = z.object({
  version: z.string(),
  contact: z.string(),
  deletionDeadlineDays: z.number(),
  retentionChoicesDays: z.array(z.number()),
  contentLoggingDefault: z.boolean(),
  trainingConsentDefault: z.boolean(),
});
const Section = z.object({ id: z.string(), heading: z.string(), paragraphs: z.array(z.string()) });

/** The policy's shape, declared once: it documents GET /api/privacy/policy, and the types below derive from it. */
export const PrivacyPolicy = z.object({ facts: Facts, sections: z.array(Section) }).openapi("PrivacyPolicy");

type PolicyFacts = z.infer<typeof Facts>;
type PolicySection = z.infer<typeof Section>;

export function policyFacts(config: Config): PolicyFacts {
  return {
    version: config.policy.version,
    contact: config.privacyContact,
    deletionDeadlineDays: config.policy.deletionDeadlineDays,
    retentionChoicesDays: [...config.policy.retentionChoicesDays],
    contentLoggingDefault: config.policy.contentLoggingDefault,
    trainingConsentDefault: config.policy.trainingConsentDefault,
  };
}

const onOff = (on: boolean) => (on ? "on" : "off");
const list = daysList;

/** Cloudflare Workers Logs keeps log lines at most this long (paid plans; 3 days on the free plan). */
const WORKERS_LOGS_RETENTION_DAYS = 7;

export function policySections(config: Config): PolicySection[] {
  const f = policyFacts(config);
  return [
    {
      id: "collect",
      heading: "Information we collect",
      paragraphs: [
        "Your email address and name when you create an account; usage data for every API request (model, token counts, cost, latency and status — never the prompt or the response); and the content you submit through our API, which we store only if you turn content logging on.",
      ],
    },
    {
      id: "use",
      heading: "How we use your information",
      paragraphs: [
        "To provide, maintain and improve the service, to process payments, to send you technical notices (such as a low balance, a finished export or a completed deletion) and support messages, and to answer your questions. Notices never contain the content you submitted.",
      ],
    },
    {
      id: "security",
      heading: "Data security",
      paragraphs: [
        "API keys and session identifiers are stored only as hashes; every database query is scoped to your account; stored content, WhatsApp messages waiting for an answer and connection secrets are encrypted at rest with a key unique to your account, which is destroyed when the account is deleted — so copies in backups become unreadable too.",
        "All transmission is encrypted: the service answers only over HTTPS and calls AI providers only over HTTPS, at addresses the operator configured — never at an address supplied in a request.",
      ],
    },
    {
      id: "retention",
      heading: "Code and content retention",
      paragraphs: [
        `Content logging is ${onOff(f.contentLoggingDefault)} by default. If you turn it on in your dashboard, prompts and responses are kept, encrypted, for the period you choose — ${list(f.retentionChoicesDays)} — and then deleted automatically.`,
        `We do not use your code or content to train models without your explicit consent. Training consent is ${onOff(f.trainingConsentDefault)} by default; you can give or withdraw it at any time in your dashboard, and only content logged while you consented is ever included.`,
      ],
    },
    {
      id: "whatsapp",
      heading: "WhatsApp Business data",
      paragraphs: [
        `When you connect WhatsApp, messages are processed to deliver the service in line with WhatsApp Business policies. We store message identifiers, times and delivery status for ${METADATA_RETENTION_DAYS} days, and the sender's number only as a keyed hash. Until a message is answered (at most ${durationText(WINDOW_MS)}), its text and the sender's number wait encrypted with your account's key, whatever your logging setting; beyond that, message text is kept only if content logging is on, encrypted and under your retention setting. Conversation data is never sold, never exported to third parties and never used for training. Disconnecting a number deletes its secrets, unanswered messages and conversation context at once; message records and logged copies stay until their retention ends, so a business can still answer its customers' requests. A business looks up, exports and erases one customer's data by number (only its keyed hash is used) from its WhatsApp dashboard, with a signed receipt.`,
      ],
    },
    {
      id: "retention-periods",
      heading: "How long we keep what",
      paragraphs: retentionLines(config).map((r) => `${r.what}: ${r.retention}.`),
    },
    {
      id: "logs",
      heading: "Logs",
      paragraphs: [
        `Our own log lines record what happened to a request (route, status, timing, error codes) and never a prompt, response, message text, secret, key, email address or query string. Cloudflare's automatic invocation logs, which would record full addresses and client IP addresses, are switched off. Log lines are kept by Cloudflare Workers Logs for at most ${WORKERS_LOGS_RETENTION_DAYS} days.`,
      ],
    },
    {
      id: "billing",
      heading: "Payments and billing data",
      paragraphs: [
        "We keep your plan, subscription status, a ledger of credits and charges, and references to invoices. Card and other payment instrument data are handled by our payment provider (Stripe) and never reach our servers.",
      ],
    },
    {
      id: "deletion",
      heading: "Data deletion requests",
      paragraphs: [
        `You can request deletion of your account and its content from the dashboard or by emailing ${f.contact}. We complete deletion within ${f.deletionDeadlineDays} days. Your keys and sessions stop working as soon as you ask. Invoices are kept, without your name or email, only as long as tax law requires. You receive a signed receipt listing what was erased and what was kept, why, and until when.`,
      ],
    },
    {
      id: "third-parties",
      heading: "Third-party services",
      paragraphs: [
        "We forward your requests to third-party AI providers through our proxy, using our own provider keys. Providers never see your API key, email, IP address or account identifier.",
        `Our subprocessors, as this service is configured: ${subprocessors(config)
          .map((s) => `${s.name} (${s.purpose.toLowerCase()}; ${s.location})`)
          .join(
            "; ",
          )}. Their transfer bases and data policies are listed on the Subprocessors page (/subprocessors).`,
        `Where we store data: ${hostingLocation(config)}.`,
      ],
    },
    {
      id: "rights",
      heading: "Your rights",
      paragraphs: [
        "You can access and download everything we hold about you in a machine-readable export, correct your details, delete your account, object to processing by switching off content logging, training use and notices, object in your own words to processing based on our legitimate interests (an operator answers), and restrict processing so your data is only stored until you lift the restriction — all from your dashboard, or by contacting us.",
      ],
    },
    {
      id: "contact",
      heading: "Contact us",
      paragraphs: [`Questions about this policy or your data: ${f.contact}.`],
    },
  ];
}
