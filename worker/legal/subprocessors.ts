// The subprocessors, generated from configuration: who processes customers' data for us, for what, where, and
// on what transfer basis. /subprocessors shows it, the DPA points to it, and a change is announced to every
// account that accepted the DPA (worker/legal/changes.ts) with the date it takes effect.
import { providerAvailable } from "../ai/providers/registry";
import type { ProviderId } from "../ai/providers/types";
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

/** The AI providers this deployment can call; the dev provider runs inside the Worker and sends nothing out. */
const AI: Record<Exclude<ProviderId, "dev">, Subprocessor> = {
  openai: {
    name: "OpenAI, L.L.C.",
    purpose: "Answering AI requests for OpenAI models",
    data: "The requests you send to openai/* models and their responses; never your identity or API key",
    location: "United States",
    transferBasis: DPF_SCC,
    dataPolicy:
      "API data is not used for training; kept up to 30 days for abuse monitoring, then deleted (zero retention on request)",
    terms: "https://openai.com/policies/api-data-usage-policies",
  },
  anthropic: {
    name: "Anthropic, PBC",
    purpose: "Answering AI requests for Anthropic models",
    data: "The requests you send to anthropic/* models and their responses; never your identity or API key",
    location: "United States",
    transferBasis: "Standard Contractual Clauses (Art. 46)",
    dataPolicy: "API data is not used for training; kept up to 30 days, then deleted",
    terms: "https://www.anthropic.com/legal/commercial-terms",
  },
};

export function subprocessors(config: Config): Subprocessor[] {
  const list: Subprocessor[] = [
    {
      name: "Cloudflare, Inc.",
      purpose: "Hosting: the Worker, database (D1), object storage (R2), Durable Objects, logs",
      data: "Everything the service stores; content and WhatsApp messages encrypted with your account's key",
      location: "Global network; database primary location chosen at creation",
      transferBasis: DPF_SCC,
      dataPolicy: "Processes data only on our instructions under Cloudflare's DPA",
      terms: "https://www.cloudflare.com/cloudflare-customer-dpa/",
    },
  ];
  for (const id of Object.keys(AI) as (keyof typeof AI)[])
    if (providerAvailable(config, id)) list.push(AI[id]);
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
