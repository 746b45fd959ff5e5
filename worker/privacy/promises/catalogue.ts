// The policy's promises P1–P12 (MISSION.md) as data: what each says, the mechanism that keeps it in one
// sentence, the configuration values it depends on (read from the running config), and its promise checks.
import type { Config } from "../../config";
import { lifecycleRules } from "../../content/layout";

type PromiseId = `P${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12}`;

export type PromiseEntry = {
  id: PromiseId;
  promise: string;
  mechanism: string;
  config: Record<string, string | number | boolean | (string | number)[]>;
  /** Ids of the promise checks that decide its status (see checks.ts). */
  checks: string[];
};

export function promiseCatalogue(config: Config): PromiseEntry[] {
  const p = config.policy;
  return [
    {
      id: "P1",
      promise: "We collect your email, usage data, and content submitted through the API",
      mechanism:
        "Accounts hold the email; one usage row per request holds model, tokens, cost, latency and status — no column for content; content is stored only as P5 allows.",
      config: { contentLoggingDefault: p.contentLoggingDefault },
      checks: ["p1.usage_schema"],
    },
    {
      id: "P2",
      promise: "Used to provide the service, process transactions, send technical notices and support",
      mechanism:
        "Notices go through one mail transport and always end with the privacy contact; they never include submitted content.",
      config: { mailTransport: config.mail.transport },
      checks: ["p12.contact_in_notices"],
    },
    {
      id: "P3",
      promise: "Appropriate technical and organisational measures against unauthorised access",
      mechanism:
        "API keys and sessions are stored only as SHA-256 hashes, every query is scoped to the account, secrets are sealed at rest; with EU residency, account objects and stored content stay in the EU jurisdiction.",
      config: { aiRateLimitRpm: config.ai.rateLimitRpm, dataResidency: config.dataResidency },
      checks: ["p3.key_hashes", "p3.usage_no_content", "p3.residency"],
    },
    {
      id: "P4",
      promise: "All transmission is encrypted",
      mechanism:
        "Upstream providers are called only at operator-configured https addresses; plain http is allowed only on loopback in local mode.",
      config: {
        openaiBaseUrl: config.openai.baseUrl,
        anthropicBaseUrl: config.anthropic.baseUrl,
        localMode: config.localMode,
      },
      checks: ["p4.https_upstreams"],
    },
    {
      id: "P5",
      promise: "Minimal logging by default; configurable retention in the dashboard",
      mechanism:
        "Content logging is off by default; when on, content is sealed with the account's key under a retention-class prefix that an R2 lifecycle rule and the cron sweep both expire.",
      config: {
        contentLoggingDefault: p.contentLoggingDefault,
        retentionChoicesDays: [...p.retentionChoicesDays],
        lifecycleRules: lifecycleRules().rules.map((r) => r.id),
      },
      checks: ["p5.content_age", "p5.logging_off", "p5.lifecycle_rules"],
    },
    {
      id: "P6",
      promise: "No training use of your code without explicit consent",
      mechanism:
        "Consent is off by default and recorded with time and policy version; the operator's training export includes only content logged while consenting, from accounts consenting now, never WhatsApp.",
      config: { trainingConsentDefault: p.trainingConsentDefault, policyVersion: p.version },
      checks: ["p6.training_consent"],
    },
    {
      id: "P7",
      promise: "WhatsApp messages processed only to deliver the service; content minimised; never sold",
      mechanism:
        "Webhooks are signature-checked; message bodies are sealed and kept only while needed or when logging is on; sender numbers are stored as keyed hashes; there is no export path for conversations.",
      config: { graphBaseUrl: config.whatsapp.graphBaseUrl },
      checks: ["p7.whatsapp_schema"],
    },
    {
      id: "P8",
      promise: "Basic billing info only; payment data stays with the payment provider",
      mechanism:
        "Checkout and the customer portal are hosted by Stripe; the database keeps customer id, plan, status, a credit ledger and invoice references — no card data.",
      config: { stripeApiBaseUrl: config.stripe.apiBaseUrl },
      checks: ["p8.no_card_data"],
    },
    {
      id: "P9",
      promise: "Deletion from the dashboard or by email, within 30 days, subject to legal retention",
      mechanism:
        "Each request has a 30-day clock; the account's Durable Object erases every holder idempotently, destroys the data key and issues a signed receipt; invoices are kept pseudonymised until their legal period ends. A business erases one WhatsApp contact's data the same way (the Contact data page: every store, by the contact's keyed hash, with a signed receipt).",
      config: { deletionDeadlineDays: p.deletionDeadlineDays, deletionGraceHours: config.deletionGraceHours },
      checks: ["p9.deadlines", "p9.nothing_left", "p9.contacts_nothing_left", "p9.receipt_key"],
    },
    {
      id: "P10",
      promise: "Third-party AI through a secure proxy architecture",
      mechanism:
        "Providers receive the platform's key and the request, never the customer's key or identity; usage rows and logs carry no content. A request goes only to providers whose published data policy satisfies its account's and key's (no training, zero retention, EU only), fallbacks included.",
      config: { openaiBaseUrl: config.openai.baseUrl, anthropicBaseUrl: config.anthropic.baseUrl },
      checks: ["p3.usage_no_content", "p3.key_hashes", "p10.data_policy_routing"],
    },
    {
      id: "P11",
      promise: "Access, update, delete, portability, objection",
      mechanism:
        "One holder registry drives the export and the deletion; every table that names an account is covered by a holder; objection switches are in the privacy settings.",
      config: {},
      checks: ["p11.registry_coverage"],
    },
    {
      id: "P12",
      promise: "A contact for privacy questions",
      mechanism:
        "The configured privacy contact is rendered on the policy page and appended to every notice.",
      config: { privacyContact: config.privacyContact },
      checks: ["p12.contact_on_policy", "p12.contact_in_notices"],
    },
  ];
}
