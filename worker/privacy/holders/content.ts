// Logged content in R2 (only if the account turned logging on): exported decrypted, erased by prefix.
import { classPrefix, retentionClasses } from "../../content/layout";
import { openExchange } from "../../content/store";
import { readableExchange } from "../export/readable";
import { daysList, HOSTING, hostingTransfers, LEGAL_BASIS } from "./declarations";
import type { DataHolder } from "./holder";
import { erasePrefixes } from "./r2-prefix";

/** Decrypted exchanges are large; a small page keeps one export step well inside memory limits. */
const EXPORT_PAGE_OBJECTS = 50;

export const contentPrefixes = (accountId: string) =>
  retentionClasses.map((d) => `${classPrefix(d)}${accountId}/`);

export const contentHolder: DataHolder = {
  name: "content",
  description:
    "Prompts and responses you sent through the API while content logging was on (decrypted). WhatsApp conversations are not included: they belong to your customers and are never exported.",
  location: "R2 content/<retention class>/<account>/, encrypted with the account's data key",
  processing: (config) => ({
    purpose: "Content logging you turned on: reviewing your requests; training use only while you consent",
    legalBasis: `${LEGAL_BASIS.contract} (a feature you switch on); training: ${LEGAL_BASIS.consent}`,
    categories: ["prompts and responses sent through the API", "WhatsApp messages and replies"],
    recipients: [HOSTING],
    retention: `Only while content logging is on; kept for the period you choose (${daysList(config.policy.retentionChoicesDays)}), then deleted — WhatsApp copies too after the number is disconnected, or sooner when you erase that contact's data`,
    transfers: hostingTransfers(config),
  }),
  async export(env, accountId, cursor, held) {
    const prefixes = contentPrefixes(accountId);
    const bar = cursor?.indexOf("|") ?? -1;
    const index = cursor ? Number(cursor.slice(0, bar)) : 0;
    const listCursor = cursor ? cursor.slice(bar + 1) : "";
    const listed = await env.CONTENT.list({
      prefix: prefixes[index]!,
      limit: EXPORT_PAGE_OBJECTS,
      cursor: listCursor || undefined,
      include: ["customMetadata"],
    });
    const dataKey = listed.objects.length ? await held.dataKey() : null;
    const rows: unknown[] = [];
    for (const object of listed.objects) {
      if (object.customMetadata?.source === "whatsapp") continue;
      const body = dataKey ? await env.CONTENT.get(object.key) : null;
      if (!body || !dataKey) continue;
      const exchange = await openExchange(object.key, new Uint8Array(await body.arrayBuffer()), dataKey);
      rows.push(readableExchange(exchange));
    }
    if (listed.truncated) return { rows, next: `${index}|${listed.cursor}` };
    return { rows, next: index + 1 < prefixes.length ? `${index + 1}|` : null };
  },
  erase: (env, accountId, cursor) => erasePrefixes(env.CONTENT, contentPrefixes(accountId), cursor),
};
