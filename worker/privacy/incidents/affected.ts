// Who a breach concerns, found through the data holders: every account with a row in a D1 table of the
// holders whose data the incident touched. R2 holders count through the accounts that keep such objects
// (content logging on) — listing R2 is not needed to know whom to tell.
import { holders } from "../holders";
import { holderTables } from "../holders/counts";

export type AffectedAccount = { id: string; email: string };

/** Holders an incident can name: those with D1 tables, and logged content (through the settings that allow it). */
export const incidentHolders = () =>
  holders.filter((h) => holderTables(h).length > 0 || h.name === "content").map((h) => h.name);

function accountsSql(holderName: string): string[] {
  if (holderName === "content") return ["SELECT account_id FROM privacy_settings WHERE content_logging = 1"];
  const holder = holders.find((h) => h.name === holderName);
  if (!holder) return [];
  return holderTables(holder).map((table) => {
    if (table === "accounts") return "SELECT id AS account_id FROM accounts";
    if (table === "privacy_audit")
      return "SELECT account_id FROM privacy_requests WHERE account_id IS NOT NULL";
    return `SELECT account_id FROM "${table}"`;
  });
}

/** The live accounts holding data of these holders (each once), with the address to tell them at. */
export async function affectedAccounts(env: Env, holderNames: string[]): Promise<AffectedAccount[]> {
  const parts = [...new Set(holderNames)].flatMap(accountsSql);
  if (parts.length === 0) return [];
  const { results } = await env.DB.prepare(
    `SELECT id, email FROM accounts WHERE status = 'active' AND id IN (${parts.join(" UNION ")}) ORDER BY id`,
  ).all<AffectedAccount>();
  return results;
}
