// The deploy preflight: every reason not to ship this configuration, as a list. Pure rules over what
// scripts/deploy.ts gathers (wrangler's resolved config, `wrangler secret list`, the pending migrations), so the
// node tests run them offline on fixture configs. Online-only inputs left undefined are reported as not checked.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { upstreamUrlProblem } from "../worker/security/upstream-url";

export type Route =
  | string
  | { pattern: string; custom_domain?: boolean; zone_name?: string; zone_id?: string };

export type PreflightConfig = {
  d1_databases: { binding: string; database_id?: string; database_name?: string }[];
  vars: Record<string, unknown>;
  /** wrangler's resolved routes / custom domains of the environment (`route` or `routes`). */
  routes?: Route[];
  route?: Route;
  /** The R2 buckets, with the jurisdiction each is bound in (`jurisdiction = "eu"`). */
  r2_buckets?: { binding: string; bucket_name?: string; jurisdiction?: string }[];
};

export type Migration = { name: string; sql: string };

export type ContractEntry = { removes: string[]; stoppedUsingIn: string; why?: string };
export type ContractList = Record<string, ContractEntry>;

export type PreflightInput = {
  config: PreflightConfig;
  /** Secret names from `wrangler secret list`; undefined offline (dry run). */
  secrets?: string[];
  /** Every migration in db/migrations. */
  migrations: Migration[];
  /** Names already applied remotely (`wrangler d1 migrations list --remote`); undefined offline. */
  applied?: string[];
  contract: ContractList;
  /** The schema source (db/schema/*.ts), to prove nothing still reads what a migration removes. */
  schemaSource: string;
};

export type Finding = { ok: boolean; rule: string; detail: string };

const PLACEHOLDER_ID = /^(0{8}-0{4}-0{4}-0{4}-0{12}|)$|placeholder|x{8}|<.*>|your-/i;
/** A route or custom domain left as committed: example domains, <…>, "placeholder", "your-…". */
const PLACEHOLDER_ROUTE = /(^|\.)example\.(com|net|org)(\/|$)|placeholder|<.*>|your-/i;
const ALWAYS_REQUIRED = ["MASTER_KEY", "RECEIPT_SIGNING_KEY", "MAIL_API_KEY"];
const SECRET_NAMES = /(_KEY|_SECRET|_TOKEN)$/;

const str = (v: unknown) => (typeof v === "string" ? v : v === undefined ? "" : String(v));

/** What removes a table or column, and what it names: DROP TABLE t, ALTER TABLE t DROP COLUMN c, … RENAME …. */
export function removals(sql: string): { kind: string; name: string }[] {
  const found: { kind: string; name: string }[] = [];
  const name = (s: string) => s.replace(/[`"[\]]/g, "");
  const clean = rebuildsRemoved(sql.replace(/--[^\n]*/g, ""));
  for (const m of clean.matchAll(/\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([`"[\]\w.]+)/gi))
    found.push({ kind: "drops table", name: name(m[1]!) });
  for (const m of clean.matchAll(/\bALTER\s+TABLE\s+([`"[\]\w.]+)\s+DROP\s+(?:COLUMN\s+)?([`"[\]\w]+)/gi))
    found.push({ kind: "drops column", name: `${name(m[1]!)}.${name(m[2]!)}` });
  for (const m of clean.matchAll(
    /\bALTER\s+TABLE\s+([`"[\]\w.]+)\s+RENAME\s+(?:COLUMN\s+)?(?:([`"[\]\w]+)\s+)?TO\s+([`"[\]\w]+)/gi,
  )) {
    const table = name(m[1]!);
    found.push({ kind: "renames", name: m[2] ? `${table}.${name(m[2])}` : table });
  }
  return found;
}

/**
 * drizzle-kit's table rebuild (SQLite cannot change a primary key in place): `__new_X` created, every row copied
 * from X, X dropped and `__new_X` renamed to X. The table keeps its name and the columns copied, so it removes
 * nothing; the statements are taken out before looking for removals. A column dropped in the same migration
 * appears as its own ALTER TABLE … DROP COLUMN, which is still found.
 */
function rebuildsRemoved(sql: string): string {
  let out = sql;
  for (const m of sql.matchAll(/\bALTER\s+TABLE\s+[`"]?__new_(\w+)[`"]?\s+RENAME\s+TO\s+[`"]?(\w+)[`"]?/gi)) {
    const [rename, table, target] = m as unknown as [string, string, string];
    if (table !== target) continue;
    const copied = new RegExp(
      `INSERT\\s+INTO\\s+[\`"]?__new_${table}[\`"]?[^;]*\\bFROM\\s+[\`"]?${table}[\`"]?`,
      "i",
    );
    const drop = new RegExp(`\\bDROP\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?[\`"]?${table}[\`"]?\\s*;`, "i");
    if (!copied.test(out) || !drop.test(out)) continue;
    out = out.replace(drop, "").replace(rename, "");
  }
  return out;
}

const number = (migration: string) => Number.parseInt(migration, 10);

/** The expand/contract rule for one migration; empty when it removes nothing or is covered. */
export function contractProblems(
  migration: Migration,
  contract: ContractList,
  schemaSource: string,
  applied?: string[],
): string[] {
  const removed = removals(migration.sql);
  if (removed.length === 0) return [];
  const entry = contract[migration.name];
  const what = removed.map((r) => `${r.kind} ${r.name}`).join(", ");
  if (!entry)
    return [
      `${migration.name} ${what} with no entry in db/contract-migrations.json naming the release that stopped using it (expand, deploy, then contract: docs/decisions/070-migrations-expand-contract.md)`,
    ];
  const problems: string[] = [];
  for (const r of removed) {
    const short = r.name.split(".").pop()!;
    if (!entry.removes.some((n) => n === r.name || n === short))
      problems.push(`${migration.name} ${r.kind} ${r.name}, which its contract entry does not list`);
  }
  // The code shipping now must not read what is removed: tables by name in db/schema.
  for (const r of removed.filter(
    (x) => x.kind === "drops table" || (x.kind === "renames" && !x.name.includes(".")),
  )) {
    if (new RegExp(`sqliteTable\\(\\s*["'\`]${r.name}["'\`]`).test(schemaSource))
      problems.push(`${migration.name} ${r.kind} ${r.name}, but db/schema still declares it`);
  }
  if (entry.stoppedUsingIn !== "grandfathered") {
    const release = number(entry.stoppedUsingIn);
    if (!Number.isFinite(release) || release >= number(migration.name))
      problems.push(
        `${migration.name}: stoppedUsingIn must name an earlier migration (the release that stopped using ${entry.removes.join(", ")}), got "${entry.stoppedUsingIn}"`,
      );
    // Online: that release must already be live — unless nothing is live yet (a new database).
    else if (applied && applied.length > 0 && !applied.some((a) => number(a) === release))
      problems.push(
        `${migration.name} would run before the release that stopped using ${entry.removes.join(", ")} (${entry.stoppedUsingIn}) is deployed: deploy that release first`,
      );
  }
  return problems;
}

/**
 * DATA_RESIDENCY and the R2 bindings said together (ADR 055): "eu" needs every bucket bound with
 * `jurisdiction = "eu"` (the Worker itself makes Durable Object ids in the `eu` jurisdiction), and a bucket in
 * the EU jurisdiction needs the setting, so the pages and the promise report say what the storage does.
 */
export function residencyFindings(config: PreflightConfig): Finding[] {
  const setting = str(config.vars.DATA_RESIDENCY) || "global";
  const rule = "data residency";
  if (setting !== "global" && setting !== "eu")
    return [{ ok: false, rule, detail: `DATA_RESIDENCY must be "global" or "eu", not "${setting}"` }];
  const buckets = config.r2_buckets ?? [];
  const name = (b: (typeof buckets)[number]) => b.bucket_name ?? b.binding;
  const outside = buckets.filter((b) => (b.jurisdiction ?? "") !== (setting === "eu" ? "eu" : ""));
  if (outside.length === 0)
    return [
      {
        ok: true,
        rule,
        detail:
          setting === "eu"
            ? `EU: R2 ${buckets.map(name).join(", ")} in jurisdiction eu, Durable Objects in eu; D1 by location hint only (create it with --location weur or eeur)`
            : "global: no residency promised",
      },
    ];
  return [
    {
      ok: false,
      rule,
      detail:
        setting === "eu"
          ? `DATA_RESIDENCY is "eu" but R2 ${outside.map(name).join(", ")} ${outside.length > 1 ? "are" : "is"} not bound with jurisdiction = "eu" (create the bucket with --jurisdiction eu)`
          : `R2 ${outside.map(name).join(", ")} ${outside.length > 1 ? "are" : "is"} bound in a jurisdiction but DATA_RESIDENCY is not "eu": set DATA_RESIDENCY = "eu" so Durable Objects follow and the pages say so`,
    },
  ];
}

export function preflight(input: PreflightInput): Finding[] {
  const findings: Finding[] = [];
  const add = (ok: boolean, rule: string, detail: string) => findings.push({ ok, rule, detail });
  const vars = input.config.vars;

  const db = input.config.d1_databases.find((d) => d.binding === "DB");
  if (!db) add(false, "database", "no D1 database bound as DB");
  else if (PLACEHOLDER_ID.test(db.database_id ?? ""))
    add(
      false,
      "database",
      `database_id of ${db.database_name ?? "DB"} is a placeholder (${db.database_id || "empty"}): run \`npx wrangler d1 create ${db.database_name ?? "botmara"}\` and put its id in wrangler.toml`,
    );
  else add(true, "database", `DB is ${db.database_name} (${db.database_id})`);

  // Where the Worker answers: without a route or custom domain it would only be on *.workers.dev.
  const routes = [...(input.config.routes ?? []), ...(input.config.route ? [input.config.route] : [])].map(
    (r) => (typeof r === "string" ? r : r.pattern),
  );
  const placeholders = routes.filter((r) => PLACEHOLDER_ROUTE.test(r));
  if (routes.length === 0)
    add(
      false,
      "routes",
      "no route or custom domain: the Worker would only answer on *.workers.dev; add one under [[env.<name>.routes]] in wrangler.toml",
    );
  else if (placeholders.length)
    add(
      false,
      "routes",
      `placeholder route or domain ${placeholders.join(", ")}: put your own in wrangler.toml ([[env.<name>.routes]])`,
    );
  else add(true, "routes", routes.join(", "));

  for (const f of residencyFindings(input.config)) add(f.ok, f.rule, f.detail);

  // Secrets are set with `wrangler secret put`, never as plain vars.
  const plainSecrets = Object.keys(vars).filter((n) => SECRET_NAMES.test(n) && str(vars[n]).trim() !== "");
  if (plainSecrets.length)
    add(false, "secrets", `set as plain [vars], must be secrets: ${plainSecrets.join(", ")}`);
  if (input.secrets === undefined)
    add(true, "secrets", "not checked offline (`wrangler secret list` runs on a real deploy)");
  else {
    const have = new Set(input.secrets);
    const required = [...ALWAYS_REQUIRED];
    if (!have.has("OPENAI_API_KEY") && !have.has("ANTHROPIC_API_KEY"))
      required.push("OPENAI_API_KEY or ANTHROPIC_API_KEY");
    if (have.has("STRIPE_SECRET_KEY")) required.push("STRIPE_WEBHOOK_SECRET");
    const missing = required.filter((n) => !n.split(" or ").some((x) => have.has(x)));
    if (missing.length)
      add(false, "secrets", `missing: ${missing.join(", ")} (npx wrangler secret put NAME)`);
    else add(true, "secrets", `present: ${[...have].sort().join(", ")}`);
    if (have.has("STRIPE_SECRET_KEY")) {
      const empty = ["STRIPE_PRICE_PRO", "STRIPE_PRICE_TEAM"].filter((n) => str(vars[n]).trim() === "");
      if (empty.length)
        add(
          false,
          "stripe",
          `Stripe is on (STRIPE_SECRET_KEY is set) but ${empty.join(", ")} ${empty.length > 1 ? "are" : "is"} empty`,
        );
      else add(true, "stripe", "price ids set");
    }
  }

  // No development surface (docs/decisions/071-one-notion-of-local.md).
  const dev: string[] = [];
  if ("LOCAL_MODE" in vars)
    dev.push(`LOCAL_MODE is set (${str(vars.LOCAL_MODE)}); only local processes set it`);
  if (str(vars.DEV_PROVIDER || "auto") !== "off")
    dev.push(`DEV_PROVIDER is "${str(vars.DEV_PROVIDER) || "auto"}", must be "off"`);
  if (str(vars.MAIL_TRANSPORT || "local") === "local")
    dev.push(
      `MAIL_TRANSPORT is "${str(vars.MAIL_TRANSPORT) || "local"}" (the dev mailbox): notices would never be mailed`,
    );
  for (const [name, value] of Object.entries(vars)) {
    if (!/_URL$/.test(name) || str(value).trim() === "") continue;
    const problem = upstreamUrlProblem(false, name, str(value));
    if (problem) dev.push(problem);
  }
  if (dev.length) for (const d of dev) add(false, "no development surface", d);
  else
    add(
      true,
      "no development surface",
      "LOCAL_MODE unset, DEV_PROVIDER off, a real mail transport, https upstreams",
    );

  // Expand/contract (docs/decisions/070-migrations-expand-contract.md).
  const pending = input.applied
    ? input.migrations.filter((m) => !input.applied!.includes(m.name))
    : input.migrations;
  const contract = pending.flatMap((m) =>
    contractProblems(m, input.contract, input.schemaSource, input.applied),
  );
  if (contract.length) for (const c of contract) add(false, "migrations", c);
  else
    add(
      true,
      "migrations",
      input.applied
        ? `${pending.length} pending, none drops or renames what the live release still uses`
        : `${input.migrations.length} checked offline: every drop/rename has its contract entry`,
    );
  return findings;
}

export function formatFindings(findings: Finding[]): string {
  const failed = findings.filter((f) => !f.ok);
  const lines = findings.map((f) => `  ${f.ok ? "ok  " : "FAIL"} ${f.rule}: ${f.detail}`);
  lines.push(
    failed.length
      ? `Preflight failed: ${failed.length} problem${failed.length > 1 ? "s" : ""}.`
      : "Preflight passed.",
  );
  return lines.join("\n");
}

/** The repository's own migrations, contract list and schema source. */
export function repositoryInputs(
  root: string,
): Pick<PreflightInput, "migrations" | "contract" | "schemaSource"> {
  const dir = path.join(root, "db", "migrations");
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(dir, name), "utf8") }));
  const contract = (
    JSON.parse(readFileSync(path.join(root, "db", "contract-migrations.json"), "utf8")) as {
      migrations: ContractList;
    }
  ).migrations;
  const schemaDir = path.join(root, "db", "schema");
  const schemaSource = readdirSync(schemaDir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => readFileSync(path.join(schemaDir, f), "utf8"))
    .join("\n");
  return { migrations, contract, schemaSource };
}
