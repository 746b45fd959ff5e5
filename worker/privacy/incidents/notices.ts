// What a breach asks us to write: the authority notice (Art. 33(3)) drafted from the record and the registry,
// and the notices to the people concerned (Art. 34) sent through the outbox, once per account.
import type { Config } from "../../config";
import { sendNotice } from "../../notices/send";
import type { Operator } from "../../operators/audit";
import { processingRecords } from "../records";
import { affectedAccounts } from "./affected";
import { addStep, findIncident, type Incident } from "./incidents";

const day = (d: Date) => d.toISOString().replace("T", " ").slice(0, 16);

/** The Art. 33(3) draft: nature, categories and approximate numbers, contact, consequences, measures. */
export function authorityDraft(config: Config, incident: Incident, affected: number): string {
  const records = processingRecords(config).filter((r) => incident.holders.includes(r.holder));
  return [
    `Notification of a personal data breach (GDPR Art. 33) — ${config.appName}`,
    "",
    `Became aware: ${day(incident.detectedAt)} UTC. Notified: [date of sending].`,
    `What happened: ${incident.description}`,
    `Categories of data concerned: ${records.flatMap((r) => r.categories).join("; ")}.`,
    `Approximate number of accounts concerned: ${affected}.`,
    `Data protection contact: ${config.privacyContact}.`,
    "Likely consequences: [assess].",
    "Measures taken or proposed, including to mitigate its effects: [describe].",
    ...(Date.now() > incident.dueAt.getTime()
      ? ["Reasons for the delay beyond 72 hours (Art. 33(1)): [explain]."]
      : []),
  ].join("\n");
}

function customerText(config: Config, incident: Incident): string {
  const records = processingRecords(config).filter((r) => incident.holders.includes(r.holder));
  return [
    `We are writing to tell you about a security incident at ${config.appName} that concerns data of your account.`,
    "",
    `What happened: ${incident.description}`,
    `When we became aware: ${day(incident.detectedAt)} UTC.`,
    `Data concerned: ${records.flatMap((r) => r.categories).join("; ")}.`,
    "",
    "We have taken measures to contain it and will tell you if we learn more. If you processed your own customers' data through us, this notice is also your information under our data processing agreement.",
  ].join("\n");
}

/** Sends the Art. 34 notices to every affected account (once each, by key) and records the step. */
export async function notifyCustomers(
  env: Env,
  config: Config,
  operator: Operator,
  id: string,
): Promise<number> {
  const incident = await findIncident(env, id);
  const accounts = await affectedAccounts(env, incident.holders);
  // The step first: a second click is refused before anything is sent again.
  await addStep(env, operator, id, "customers_notified", { accounts: accounts.length });
  const text = customerText(config, incident);
  for (const account of accounts) {
    await sendNotice(env, {
      to: account.email,
      kind: "breach_notice",
      subject: `Security incident at ${config.appName}: what it means for your data`,
      text,
      accountId: account.id,
      key: `incident/${id}/${account.id}`,
    });
  }
  return accounts.length;
}
