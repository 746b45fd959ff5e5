// The data processing agreement (GDPR Art. 28), generated from configuration and the registry of processing:
// its version is the SHA-256 of its text, so any change to what it says is a new version to accept.
// Accepting is recorded like consent — who (the verified address), when, which version — append-only.
import { desc, eq } from "drizzle-orm";
import { dpaAcceptances } from "../../db/schema";
import { requireVerifiedSession } from "../accounts/verified";
import type { Config } from "../config";
import { sha256Hex } from "../crypto/encoding";
import type { Db, SessionPrincipal } from "../env";
import { AppError } from "../errors";
import { canonical } from "../privacy/receipts/receipt";
import { processingRecords } from "../privacy/records";
import { hostingLocation, subprocessors } from "./subprocessors";

/** Days' notice before a new subprocessor list takes effect (the DPA promises it; the cron keeps it). */
export const SUBPROCESSOR_NOTICE_DAYS = 30;
/** The DPA's breach-notice promise to the customer (the controller), from detection. */
const BREACH_NOTICE_TO_CUSTOMER_HOURS = 48;

export type DpaSection = { id: string; heading: string; paragraphs: string[] };

const CUSTOMER_HOLDERS = new Set([
  "content",
  "whatsapp_pending",
  "whatsapp_context",
  "whatsapp_messages",
  "whatsapp_contacts",
  "whatsapp_contact_erasures",
]);

function dpaSections(config: Config): DpaSection[] {
  const app = config.appName;
  const processed = processingRecords(config).filter((r) => CUSTOMER_HOLDERS.has(r.holder));
  return [
    {
      id: "roles",
      heading: "1. Parties and roles",
      paragraphs: [
        `You, the customer, are the controller of the personal data contained in what you send through the API and of your WhatsApp customers' messages; ${app} processes that data on your behalf as your processor (GDPR Art. 28). For your own account data ${app} is a controller, as its privacy policy describes.`,
      ],
    },
    {
      id: "scope",
      heading: "2. Subject matter, duration, nature and purpose",
      paragraphs: [
        `${app} processes the data only to provide the service you use: forwarding AI requests to the provider of the model you name, answering your WhatsApp customers with the model and instructions you configure, metering and billing. It processes for as long as your account exists and erases within ${config.policy.deletionDeadlineDays} days of a deletion request, with a signed receipt.`,
        ...processed.map((r) => `${r.what}: ${r.categories.join("; ")}. Kept: ${r.retention}.`),
        "Data subjects: the people whose data you include in requests, and your WhatsApp customers.",
      ],
    },
    {
      id: "instructions",
      heading: "3. Instructions and confidentiality",
      paragraphs: [
        "We process the data only on your documented instructions — your API requests and the settings you choose in the dashboard — unless the law requires otherwise, in which case we tell you first where the law allows. Everyone who can access the data is bound to confidentiality.",
      ],
    },
    {
      id: "security",
      heading: "4. Security (Art. 32)",
      paragraphs: [
        "API keys and sessions are stored only as hashes; logged content, WhatsApp messages and connection secrets are encrypted with a key unique to your account, destroyed on erasure; all traffic is HTTPS; every query is scoped to your account; operator access needs a verified address and a second factor. The live state of each promise is public at /privacy/promises.",
      ],
    },
    {
      id: "subprocessors",
      heading: "5. Subprocessors",
      paragraphs: [
        `You authorise the subprocessors listed at /subprocessors — today ${subprocessors(config)
          .map((s) => `${s.name} (${s.location})`)
          .join(
            "; ",
          )}. We tell every customer who accepted this agreement by email at least ${SUBPROCESSOR_NOTICE_DAYS} days before a changed list takes effect; you may object in that time, and end the service if we cannot meet the objection. Each subprocessor is bound by terms at least as protective as these.`,
      ],
    },
    {
      id: "transfers",
      heading: "6. International transfers",
      paragraphs: [
        "Where a subprocessor processes data outside the EEA, the transfer rests on an adequacy decision (the EU–US Data Privacy Framework) or on Standard Contractual Clauses, as /subprocessors states for each.",
        `Where we store data: ${hostingLocation(config)}.`,
      ],
    },
    {
      id: "assistance",
      heading: "7. Assistance with data subjects' rights",
      paragraphs: [
        "You can export, erase and restrict processing of your data yourself from the dashboard or the API; for one of your WhatsApp customers you can look up, export and erase what is held by their number (Contact data, with a signed receipt). We help with anything else you need to answer a data subject, within the same 30-day clock we apply to our own requests.",
      ],
    },
    {
      id: "breaches",
      heading: "8. Personal data breaches",
      paragraphs: [
        `We tell you without undue delay, and at the latest ${BREACH_NOTICE_TO_CUSTOMER_HOURS} hours after we become aware of a breach affecting your data, with what we know of its nature, the data and people concerned, its likely consequences and the measures taken — so you can meet your own 72-hour duty (Art. 33).`,
      ],
    },
    {
      id: "end",
      heading: "9. Deletion or return",
      paragraphs: [
        `At the end of the service you can export everything and then delete your account; deletion completes within ${config.policy.deletionDeadlineDays} days and destroys your data key, making copies in backups unreadable. Only what law requires us to keep (pseudonymised invoices) remains, as the receipt lists.`,
      ],
    },
    {
      id: "audits",
      heading: "10. Information and audits",
      paragraphs: [
        `We make available the information needed to show compliance with Art. 28 — the records of processing, the live promise report and the receipts — and allow audits on reasonable notice. Contact: ${config.privacyContact}.`,
      ],
    },
  ];
}

/** The DPA in force: its sections and its version (the SHA-256 of their canonical JSON). */
export async function currentDpa(config: Config): Promise<{ version: string; sections: DpaSection[] }> {
  const sections = dpaSections(config);
  return { version: await sha256Hex(canonical(sections)), sections };
}

export type DpaAcceptance = { version: string; acceptedBy: string; at: Date };

export async function dpaAcceptancesOf(db: Db, accountId: string): Promise<DpaAcceptance[]> {
  return db
    .select({ version: dpaAcceptances.version, acceptedBy: dpaAcceptances.acceptedBy, at: dpaAcceptances.at })
    .from(dpaAcceptances)
    .where(eq(dpaAcceptances.accountId, accountId))
    .orderBy(desc(dpaAcceptances.at));
}

/**
 * Records that the signed-in person accepted the DPA version they read. Refused when their address is not
 * verified (403), or when the version they read is no longer the one in force (409: read the new one).
 */
export async function acceptDpa(
  db: Db,
  config: Config,
  session: Pick<SessionPrincipal, "accountId" | "email" | "emailVerified">,
  version: string,
  now = new Date(),
): Promise<DpaAcceptance> {
  requireVerifiedSession(session);
  const current = await currentDpa(config);
  if (version !== current.version)
    throw new AppError(
      409,
      "The DPA changed since you opened it. Read the current version and accept that.",
      {
        code: "dpa_version_changed",
        param: "version",
      },
    );
  await db.insert(dpaAcceptances).values({
    id: crypto.randomUUID(),
    accountId: session.accountId,
    version,
    acceptedBy: session.email,
    channel: "dashboard",
    at: now,
  });
  return { version, acceptedBy: session.email, at: now };
}
