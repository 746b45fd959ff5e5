// The one registry of processing: every table naming an account has a holder, every holder declares its
// processing, and every text that lists retention (policy, export) is generated from those declarations.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getConfig } from "#worker/config";
import { processingInfo } from "#worker/privacy/export/processing";
import { holders } from "#worker/privacy/holders";
import { holderTables } from "#worker/privacy/holders/counts";
import { policySections } from "#worker/privacy/policy";
import { processingRecords } from "#worker/privacy/records";

async function tablesNamingAnAccount(): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  const out: string[] = [];
  for (const { name } of results) {
    const cols = await env.DB.prepare("SELECT name FROM pragma_table_info(?)")
      .bind(name)
      .all<{ name: string }>();
    if (cols.results.some((c) => c.name === "account_id")) out.push(name);
  }
  return out;
}

describe("registry of processing", () => {
  const config = getConfig(env);

  it("covers every table with an account_id by a holder that declares all of Art. 30(1)", async () => {
    const covered = new Set(holders.flatMap(holderTables));
    // Kept under a pseudonymous token after erasure: declared by the billing holder's retention.
    const uncovered = (await tablesNamingAnAccount()).filter(
      (t) => !covered.has(t) && t !== "retained_billing",
    );
    expect(uncovered).toEqual([]);
    for (const r of processingRecords(config)) {
      for (const field of ["purpose", "legalBasis", "retention", "transfers"] as const)
        expect(r[field].length, `${r.holder}.${field}`).toBeGreaterThan(10);
      expect(r.categories.length, `${r.holder}.categories`).toBeGreaterThan(0);
      expect(r.recipients.length, `${r.holder}.recipients`).toBeGreaterThan(0);
    }
  });

  it("makes every retention text: the policy's table and the export's list equal the declarations", () => {
    const declared = holders.map((h) => h.processing(config).retention);
    const policy = policySections(config).find((s) => s.id === "retention-periods")!;
    expect(policy.paragraphs).toHaveLength(declared.length);
    for (const [i, p] of policy.paragraphs.entries()) expect(p.endsWith(`: ${declared[i]}.`)).toBe(true);
    const info = processingInfo(config);
    expect(info.retention.map((r) => r.retention)).toEqual(declared);
    expect(info.records.map((r) => r.retention)).toEqual(declared);
  });

  it("states the figures the code enforces: usage rows, WhatsApp metadata, pending messages, exports", () => {
    const byHolder = Object.fromEntries(processingRecords(config).map((r) => [r.holder, r.retention]));
    expect(byHolder.usage).toContain(`${config.ai.usageRetentionDays} days`);
    expect(byHolder.whatsapp_messages).toMatch(
      /^30 days, then deleted \(also after the number is disconnected\)/,
    );
    expect(byHolder.whatsapp_pending).toContain("24 hours");
    expect(byHolder.exports).toContain("72 hours");
  });
});
