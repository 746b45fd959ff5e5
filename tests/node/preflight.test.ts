// The deploy preflight's rules, offline, on fixture configs and on the committed wrangler.toml.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import {
  contractProblems,
  formatFindings,
  type PreflightConfig,
  type PreflightInput,
  preflight,
  removals,
  repositoryInputs,
} from "../../scripts/preflight";

const root = path.resolve(import.meta.dirname, "../..");

const good: PreflightConfig = {
  routes: [{ pattern: "api.botmara.com", custom_domain: true }],
  d1_databases: [
    { binding: "DB", database_name: "botmara", database_id: "8c2a8a1e-6c4f-4b1a-9d0e-2f3b4c5d6e7f" },
  ],
  vars: {
    OPENAI_BASE_URL: "https://api.openai.com/v1",
    STRIPE_API_BASE_URL: "https://api.stripe.com",
    STRIPE_PRICE_PRO: "price_pro",
    STRIPE_PRICE_TEAM: "price_team",
    MAIL_TRANSPORT: "resend",
    MAIL_API_URL: "https://api.resend.com",
    DEV_PROVIDER: "off",
  },
};
const secrets = [
  "MASTER_KEY",
  "RECEIPT_SIGNING_KEY",
  "MAIL_API_KEY",
  "OPENAI_API_KEY",
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
];
const base: PreflightInput = {
  config: good,
  secrets,
  migrations: [],
  applied: [],
  contract: {},
  schemaSource: "",
};
const failures = (input: Partial<PreflightInput> & { vars?: Record<string, unknown> }) =>
  preflight({
    ...base,
    ...input,
    config: { ...(input.config ?? good), vars: { ...(input.config ?? good).vars, ...(input.vars ?? {}) } },
  })
    .filter((f) => !f.ok)
    .map((f) => `${f.rule}: ${f.detail}`);

describe("the deploy preflight", () => {
  it("passes a production-ready configuration", () => {
    expect(failures({})).toEqual([]);
  });

  it("fails on a placeholder database_id", () => {
    const config = {
      ...good,
      d1_databases: [
        { binding: "DB", database_name: "botmara", database_id: "00000000-0000-0000-0000-000000000000" },
      ],
    };
    expect(failures({ config })).toEqual([
      expect.stringMatching(/^database: database_id of botmara is a placeholder/),
    ]);
  });

  it("fails on each missing secret, and on a secret set as a plain var", () => {
    expect(failures({ secrets: ["OPENAI_API_KEY"] })).toEqual([
      "secrets: missing: MASTER_KEY, RECEIPT_SIGNING_KEY, MAIL_API_KEY (npx wrangler secret put NAME)",
    ]);
    expect(failures({ secrets: ["MASTER_KEY", "RECEIPT_SIGNING_KEY", "MAIL_API_KEY"] })).toEqual([
      "secrets: missing: OPENAI_API_KEY or ANTHROPIC_API_KEY (npx wrangler secret put NAME)",
    ]);
    expect(failures({ vars: { MASTER_KEY: "abc" } })).toEqual([
      "secrets: set as plain [vars], must be secrets: MASTER_KEY",
    ]);
  });

  it("fails on empty price ids while Stripe is on, and not when it is off", () => {
    expect(failures({ vars: { STRIPE_PRICE_TEAM: "" } })).toEqual([
      "stripe: Stripe is on (STRIPE_SECRET_KEY is set) but STRIPE_PRICE_TEAM is empty",
    ]);
    expect(
      failures({
        vars: { STRIPE_PRICE_PRO: "", STRIPE_PRICE_TEAM: "" },
        secrets: secrets.filter((s) => !s.startsWith("STRIPE")),
      }),
    ).toEqual([]);
  });

  it("fails on every development surface", () => {
    expect(
      failures({
        vars: {
          LOCAL_MODE: "true",
          DEV_PROVIDER: "auto",
          MAIL_TRANSPORT: "local",
          OPENAI_BASE_URL: "http://localhost:11434/v1",
          WHATSAPP_GRAPH_BASE_URL: "http://graph.example.com",
        },
      }),
    ).toEqual([
      "no development surface: LOCAL_MODE is set (true); only local processes set it",
      'no development surface: DEV_PROVIDER is "auto", must be "off"',
      'no development surface: MAIL_TRANSPORT is "local" (the dev mailbox): notices would never be mailed',
      expect.stringMatching(/^no development surface: OPENAI_BASE_URL uses plain http/),
      expect.stringMatching(/^no development surface: WHATSAPP_GRAPH_BASE_URL must use https/),
    ]);
  });

  it("fails on a migration that drops or renames without a contract entry, or before its release is live", () => {
    const migrations = [
      { name: "0020_expand.sql", sql: "ALTER TABLE `keys` ADD `label` text;" },
      { name: "0021_contract.sql", sql: "ALTER TABLE `keys` DROP COLUMN `name`;\nDROP TABLE `old_things`;" },
    ];
    expect(failures({ migrations, applied: ["0019_x.sql"] })).toEqual([
      expect.stringMatching(
        /^migrations: 0021_contract.sql drops table old_things, drops column keys.name with no entry/,
      ),
    ]);
    const contract = {
      "0021_contract.sql": { removes: ["name", "old_things"], stoppedUsingIn: "0020_expand" },
    };
    // 0020 (the release that stopped using them) and 0021 pending together: refused.
    expect(failures({ migrations, contract, applied: ["0019_x.sql"] })).toEqual([
      expect.stringMatching(
        /0021_contract.sql would run before the release that stopped using name, old_things/,
      ),
    ]);
    // 0020 is live: the contract step may run.
    expect(failures({ migrations, contract, applied: ["0019_x.sql", "0020_expand.sql"] })).toEqual([]);
    // A new database runs everything at once: nothing is live to break.
    expect(failures({ migrations, contract, applied: [] })).toEqual([]);
    // Still declared in the schema: the code shipping now reads it.
    expect(
      failures({
        migrations,
        contract,
        applied: [],
        schemaSource: 'export const t = sqliteTable("old_things", {})',
      }),
    ).toEqual([expect.stringMatching(/drops table old_things, but db\/schema still declares it/)]);
  });

  it("finds drops and renames in SQL", () => {
    expect(
      removals(
        "DROP TABLE IF EXISTS `a`;\nALTER TABLE b RENAME TO c;\nALTER TABLE `d` RENAME COLUMN `e` TO `f`;\n-- DROP TABLE z\nALTER TABLE g DROP COLUMN h;",
      ),
    ).toEqual([
      { kind: "drops table", name: "a" },
      { kind: "drops column", name: "g.h" },
      { kind: "renames", name: "b" },
      { kind: "renames", name: "d.e" },
    ]);
    expect(contractProblems({ name: "0001_x.sql", sql: "CREATE TABLE a (id text);" }, {}, "")).toEqual([]);
  });
});

describe("where the Worker answers", () => {
  it("fails without a route or custom domain, and on a placeholder one", () => {
    expect(failures({ config: { ...good, routes: [] } })).toEqual([
      expect.stringMatching(
        /^routes: no route or custom domain: the Worker would only answer on \*\.workers\.dev/,
      ),
    ]);
    for (const pattern of ["botmara.example.com", "<your domain>", "api.example.org/*"])
      expect(failures({ config: { ...good, routes: [{ pattern, custom_domain: true }] } })).toEqual([
        `routes: placeholder route or domain ${pattern}: put your own in wrangler.toml ([[env.<name>.routes]])`,
      ]);
    expect(failures({ config: { ...good, routes: undefined, route: "botmara.com/*" } })).toEqual([]);
  });
});

describe("the committed wrangler.toml", () => {
  it("fails the offline preflight only for what an operator must fill in (the database id, the routes), never for a development surface", () => {
    for (const env of [undefined, "staging", "production"]) {
      const config = unstable_readConfig({ config: path.join(root, "wrangler.toml"), env });
      const findings = preflight({ config, ...repositoryInputs(root) });
      const text = formatFindings(findings);
      expect(text).toMatch(/FAIL database: database_id of botmara(-staging)? is a placeholder/);
      expect(text).toMatch(
        env
          ? /FAIL routes: placeholder route or domain (staging\.)?botmara\.example\.com/
          : /FAIL routes: no route/,
      );
      expect(text).not.toMatch(/LOCAL_MODE is set|DEV_PROVIDER is|must use https|uses plain http/);
      expect(findings.find((f) => f.rule === "migrations")).toMatchObject({ ok: true });
      expect(findings.find((f) => f.rule === "data residency")).toMatchObject({ ok: true });
    }
  });

  it("holds DATA_RESIDENCY and the R2 bucket's jurisdiction together (ADR 055)", () => {
    const bucket = (jurisdiction?: string) => [
      { binding: "CONTENT", bucket_name: "botmara-content", ...(jurisdiction ? { jurisdiction } : {}) },
    ];
    const residency = (vars: Record<string, unknown>, jurisdiction?: string) =>
      failures({ config: { ...good, r2_buckets: bucket(jurisdiction) }, vars }).filter((f) =>
        f.startsWith("data residency"),
      );
    expect(residency({ DATA_RESIDENCY: "eu" }, "eu")).toEqual([]);
    expect(residency({ DATA_RESIDENCY: "global" })).toEqual([]);
    expect(residency({})).toEqual([]);
    expect(residency({ DATA_RESIDENCY: "eu" })).toEqual([
      'data residency: DATA_RESIDENCY is "eu" but R2 botmara-content is not bound with jurisdiction = "eu" (create the bucket with --jurisdiction eu)',
    ]);
    expect(residency({ DATA_RESIDENCY: "global" }, "eu")[0]).toMatch(/not "eu": set DATA_RESIDENCY = "eu"/);
    expect(residency({ DATA_RESIDENCY: "us" })[0]).toMatch(/must be "global" or "eu"/);
  });

  it("npm run deploy refuses an environment wrangler.toml does not define", () => {
    const env = {
      ...process.env,
      VITEST: undefined,
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_HIDE_BANNER: "true",
    };
    const result = spawnSync(
      path.join(root, "node_modules/.bin/tsx"),
      ["scripts/deploy.ts", "--dry-run", "--env", "staging2"],
      {
        cwd: root,
        env,
        encoding: "utf8",
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown --env "staging2"; wrangler.toml defines: staging, production');
  }, 120_000);
});
