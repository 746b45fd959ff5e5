// scripts/deploy.ts against a fake `wrangler` (and `react-router`) on PATH that records every call: the
// environment's triggers are applied, a failing remote read stops the deploy before anything changes, the top
// level deploys nowhere, and a placeholder route fails the preflight. Plus the real wrangler refusing a bare
// deploy after a local build.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BARE_DEPLOY_REFUSAL, refuseBareDeploy } from "../../scripts/refuse-bare-deploy";

const root = path.resolve(import.meta.dirname, "../..");
const VERSION = "0c6d7a2e-1f0b-4d5e-9a8b-7c6d5e4f3a2b";

/** A fake tool that appends its argv to $FAKE_LOG and answers what deploy.ts reads; FAKE_FAIL names a failing read. */
const FAKE = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_LOG, require("node:path").basename(process.argv[1]) + " " + args.join(" ") + "\\n");
const has = (...words) => words.every((w) => args.includes(w));
const fail = (what, message) => {
  if (process.env.FAKE_FAIL === what) { process.stderr.write(message + "\\n"); process.exit(1); }
};
if (has("secret", "list")) {
  fail("secrets", "Authentication error [code: 10000]");
  process.stdout.write(JSON.stringify(["MASTER_KEY", "RECEIPT_SIGNING_KEY", "MAIL_API_KEY", "OPENAI_API_KEY"].map((name) => ({ name, type: "secret_text" }))));
} else if (has("d1", "execute")) {
  fail("d1", "fetch failed: getaddrinfo ENOTFOUND api.cloudflare.com");
  fail("d1-new", "no such table: d1_migrations: SQLITE_ERROR");
  process.stdout.write(JSON.stringify([{ results: [] }]));
} else if (has("versions", "upload")) {
  process.stdout.write("Worker Version ID: ${VERSION}\\n");
}
`;

function fixtureToml(route: string, cron: string): string {
  const top = readFileSync(path.join(root, "wrangler.toml"), "utf8");
  return top
    .replaceAll(
      'database_id = "00000000-0000-0000-0000-000000000000"',
      'database_id = "8c2a8a1e-6c4f-4b1a-9d0e-2f3b4c5d6e7f"',
    )
    .replaceAll('pattern = "staging.botmara.example.com"', `pattern = "${route}"`)
    .replace('crons = ["*/5 * * * *"]', `crons = ["${cron}"]`);
}

function deploy(args: string[], options: { fail?: string; route?: string; cron?: string } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "deploy-test-"));
  for (const tool of ["wrangler", "react-router"]) {
    writeFileSync(path.join(dir, tool), FAKE);
    chmodSync(path.join(dir, tool), 0o755);
  }
  const config = path.join(dir, "wrangler.toml");
  writeFileSync(config, fixtureToml(options.route ?? "staging.botmara.com", options.cron ?? "*/5 * * * *"));
  const log = path.join(dir, "calls.log");
  writeFileSync(log, "");
  const result = spawnSync(
    path.join(root, "node_modules/.bin/tsx"),
    ["scripts/deploy.ts", "--config", config, ...args],
    {
      cwd: root,
      encoding: "utf8",
      env: {
        ...process.env,
        VITEST: undefined,
        PATH: `${dir}:${process.env.PATH}`,
        FAKE_LOG: log,
        FAKE_FAIL: options.fail ?? "",
        WRANGLER_SEND_METRICS: "false",
      },
    },
  );
  const calls = readFileSync(log, "utf8").trim().split("\n").filter(Boolean);
  return { status: result.status, out: `${result.stdout}${result.stderr}`, calls };
}

/** Calls that change something remotely (everything but the reads and the local build). */
const changes = (calls: string[]) =>
  calls.filter((c) => !/^react-router build|secret list|d1 execute/.test(c));

describe("npm run deploy", () => {
  it("applies the environment's triggers (a changed cron reaches it) after the version goes live", () => {
    const { status, out, calls } = deploy(["--env", "staging"], { cron: "*/7 * * * *" });
    expect(out).toContain("Preflight passed.");
    expect(status).toBe(0);
    const order = changes(calls).map((c) => c.split(" ").slice(0, 3).join(" "));
    expect(order).toEqual([
      "wrangler d1 migrations",
      "wrangler r2 bucket",
      "wrangler r2 object",
      "wrangler versions upload",
      "wrangler versions deploy",
      "wrangler triggers deploy",
    ]);
    const triggers = calls.find((c) => c.startsWith("wrangler triggers deploy"))!;
    expect(triggers).toMatch(/-c \S+wrangler\.toml --env staging$/);
    expect(calls.find((c) => c.startsWith("react-router build"))).toBeDefined();
  }, 120_000);

  it.each([
    ["secrets", "the secrets (wrangler secret list)", "Authentication error"],
    ["d1", "the applied migrations (d1_migrations)", "ENOTFOUND"],
  ])(
    "stops before anything changes when a remote read fails (%s)",
    (fail, what, detail) => {
      const { status, out, calls } = deploy(["--env", "staging"], { fail });
      expect(status).toBe(1);
      expect(out).toContain(`Preflight could not read ${what} from Cloudflare`);
      expect(out).toContain(detail);
      expect(out).toContain("Nothing was deployed or changed");
      expect(changes(calls)).toEqual([]);
    },
    120_000,
  );

  it("takes a database with no d1_migrations table yet as new (nothing applied), not as a failure", () => {
    const { status, out } = deploy(["--env", "staging"], { fail: "d1-new" });
    expect(out).toContain("Preflight passed.");
    expect(status).toBe(0);
  }, 120_000);

  it("fails the preflight on a placeholder route, changing nothing", () => {
    const { status, out, calls } = deploy(["--env", "staging"], { route: "staging.botmara.example.com" });
    expect(status).toBe(1);
    expect(out).toContain("FAIL routes: placeholder route or domain staging.botmara.example.com");
    expect(out).toContain("Nothing was deployed: fix the problems above.");
    expect(changes(calls)).toEqual([]);
  }, 120_000);

  it("refuses without --env: the top level deploys nowhere", () => {
    const { status, out, calls } = deploy([]);
    expect(status).toBe(1);
    expect(out).toContain("deploy: name the environment: npm run deploy -- --env staging|production");
    expect(calls).toEqual([]);
  }, 120_000);
});

describe("a bare wrangler deploy after a local build", () => {
  it("is refused by the real wrangler before anything remote, pointing at npm run deploy -- --env", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bare-deploy-"));
    writeFileSync(
      path.join(dir, "wrangler.toml"),
      'name = "botmara-local"\nmain = "index.js"\ncompatibility_date = "2026-04-01"\n',
    );
    writeFileSync(path.join(dir, "index.js"), "export default {};\n");
    refuseBareDeploy(dir);
    const result = spawnSync(path.join(root, "node_modules/.bin/wrangler"), ["deploy"], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_API_TOKEN: "" },
    });
    expect(result.status).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toContain(BARE_DEPLOY_REFUSAL);
  }, 120_000);
});
