// The subprocessors, generated from configuration (the AI providers from the catalogue): who processes customers' data for us, for what, where, and
// on what transfer basis. /subprocessors shows it, the DPA points to it, and a change is announced to every
// account that accepted the DPA (worker/legal/changes.ts) with the date it takes effect.
import { providerLabel, providerPolicy } from "../ai/catalogue";
import type { DataPolicy } from "../ai/catalogue/model";
import { type ProviderId, providerAvailable, providers } from "../ai/providers/registry";
import type { Config } from "../config";
import { sha256Hex } from "../crypto/encoding";
import { canonical } from "../privacy/receipts/receipt";

export type Subprocessor = {
  name: string;
  purpose: string;
  /** What it receives. */
  data: string;
  location: string;
  transferBasis: string;
  /** How it treats what it receives, as it publishes it. */
  dataPolicy: string;
  terms: string;
};

const DPF_SCC = "EU–US Data Privacy Framework (Art. 45) and Standard Contractual Clauses (Art. 46)";

const REGION_NAMES: Record<string, string> = {
  us: "United States",
  eu: "European Union",
  uk: "United Kingdom",
};
const regionName = (code: string) => REGION_NAMES[code] ?? code.toUpperCase();
const IN_EEA = new Set(["eu"]);

/** How a provider's published data policy (the catalogue's) reads on the list. */
function policyText(p: DataPolicy): string {
  const training = p.trainsOnData ? "may use API data for training" : "API data is not used for training";
  const kept = p.zeroDataRetention
    ? "nothing is kept (zero data retention)"
    : `kept up to ${p.retentionDays} days, then deleted`;
  return `${training}; ${kept}`;
}

/**
 * Each AI provider this deployment calls, read from the catalogue (its label, regions, data policy and terms);
 * a provider that runs inside the Worker (region "local", the dev provider) sends nothing out and is none.
 */
function aiProviders(config: Config): Subprocessor[] {
  return (Object.keys(providers) as ProviderId[]).flatMap((id) => {
    const policy = providerPolicy(id);
    if (!providerAvailable(config, id) || policy.regions.includes("local")) return [];
    const label = providerLabel(id);
    const outsideEea = policy.regions.some((r) => !IN_EEA.has(r));
    return [
      {
        name: label,
        purpose: `Answering AI requests for ${label} models`,
        data: `The requests you send to ${id}/* models and their responses; never your identity or API key`,
        location: policy.regions.map(regionName).join(", "),
        transferBasis: outsideEea ? DPF_SCC : "None needed: processed in the EU",
        dataPolicy: policyText(policy),
        terms: policy.termsUrl,
      },
    ];
  });
}

/** Where Cloudflare keeps what we store, by DATA_RESIDENCY (ADR 055). */
export function hostingLocation(config: Config): string {
  return config.dataResidency === "eu"
    ? "EU jurisdiction for Durable Objects and R2 object storage; the D1 database has an EU location hint only (not a guarantee); requests are handled at the Cloudflare location nearest the caller"
    : "Global network; database primary location chosen at creation";
}

export function subprocessors(config: Config): Subprocessor[] {
  const list: Subprocessor[] = [
    {
      name: "Cloudflare, Inc.",
      purpose: "Hosting: the Worker, database (D1), object storage (R2), Durable Objects, logs",
      data: "Everything the service stores; content and WhatsApp messages encrypted with your account's key",
      location: hostingLocation(config),
      transferBasis: DPF_SCC,
      dataPolicy: "Processes data only on our instructions under Cloudflare's DPA",
      terms: "https://www.cloudflare.com/cloudflare-customer-dpa/",
    },
  ];
  list.push(...aiProviders(config));
  list.push(
    {
      name: "Stripe, Inc. / Stripe Payments Europe, Ltd.",
      purpose: "Payments, subscriptions, invoices and the customer portal",
      data: "Your email address, plan and payment details (card data never reaches us)",
      location: "Ireland and the United States",
      transferBasis: DPF_SCC,
      dataPolicy: "Processes payment data under Stripe's DPA; keeps records as financial law requires",
      terms: "https://stripe.com/legal/dpa",
    },
    {
      name: "Meta Platforms Ireland Ltd. (WhatsApp Cloud API)",
      purpose: "Delivering WhatsApp messages, only for accounts that connect WhatsApp",
      data: "Your customers' messages and numbers, and our replies",
      location: "Ireland and the United States",
      transferBasis: DPF_SCC,
      dataPolicy:
        "Processes messages as WhatsApp Business Solution provider under Meta's data processing terms",
      terms: "https://www.whatsapp.com/legal/business-data-processing-terms",
    },
  );
  if (config.mail.transport === "resend")
    list.push({
      name: "Resend (Plus Five Five, Inc.)",
      purpose: "Sending notices: verification, security, export and deletion mails",
      data: "Your email address and the notice's text (never content you submitted)",
      location: "United States",
      transferBasis: DPF_SCC,
      dataPolicy: "Keeps sent mail for its delivery logs under Resend's DPA",
      terms: "https://resend.com/legal/dpa",
    });
  return list;
}

/** The list's version: the SHA-256 of its canonical JSON, so any change to any entry is a new version. */
export const listVersion = (list: Subprocessor[]): Promise<string> => sha256Hex(canonical(list));
