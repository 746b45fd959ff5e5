// `npm run deploy -- --env staging|production` (operators): build for that environment (into build/<env>, so a
// local build never overwrites it), read what the preflight needs from Cloudflare — every read must succeed, or
// nothing changes — run the preflight (scripts/preflight.ts: fails with the list of what is wrong), then remote D1
// migrations, the R2 lifecycle rules (one per retention class; what was set is recorded in the bucket at
// deploy/lifecycle.json for the P5 promise check), `wrangler versions upload` + `versions deploy` (a bad version is
// rolled back with `npx wrangler rollback`), and `wrangler triggers deploy` on every deploy, so a changed cron or
// route always reaches the environment (version uploads carry neither).
//   --env (required: wrangler.toml's [env.*]; the top level is for local runs and deploys nowhere), --dry-run
//   (the offline preflight and `wrangler deploy --dry-run` on the build; nothing changes), --initial (first deploy
//   or a new Durable Object class: `wrangler deploy`, since version uploads cannot carry Durable Object
//   migrations), --config (another wrangler.toml, for the tests). `wrangler` and `react-router` come from PATH
//   (npm run puts node_modules/.bin first).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const root = path.resolve(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    "dry-run": { type: "boolean", default: false },
    env: { type: "string" },
    initial: { type: "boolean", default: false },
    config: { type: "string" },
  },
});
const configFile = path.resolve(values.config ?? path.join(root, "wrangler.toml"));
const dryRun = values["dry-run"] ?? false;

if (process.env.VITEST) {
  // Deploying is never part of a test run.
  console.error("deploy: refusing to run under vitest");
  process.exit(1);
}

const quietWrangler = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
};
const wrangler = "wrangler";

/** Runs a command for real (prints it first); `capture` returns its stdout instead of streaming it. */
function run(
  command: string,
  args: string[],
  capture = false,
  env: NodeJS.ProcessEnv = quietWrangler,
): string {
  console.info(`\n$ ${[command, ...args].join(" ")}`);
  if (capture) return execFileSync(command, args, { cwd: root, env, encoding: "utf8" });
  execFileSync(command, args, { cwd: root, stdio: "inherit", env });
  return "";
}

/** A step a dry run only names. */
function step(command: string, args: string[]): string {
  if (!dryRun) return run(command, args, true);
  console.info(`\n(would run) $ ${[command, ...args].join(" ")}`);
  return "";
}

/** The environments wrangler.toml defines ([env.NAME]). */
function environments(): string[] {
  const toml = readFileSync(configFile, "utf8");
  return [...new Set([...toml.matchAll(/^\[env\.([\w-]+)[\].]/gm)].map((m) => m[1]!))];
}

const envs = environments();
if (values.env === undefined || !envs.includes(values.env)) {
  console.error(
    values.env === undefined
      ? `deploy: name the environment: npm run deploy -- --env ${envs.join("|")} (the top level of wrangler.toml is for local runs and deploys nowhere)`
      : `deploy: unknown --env "${values.env}"; wrangler.toml defines: ${envs.join(", ") || "none"}`,
  );
  process.exit(1);
}
const env = values.env;
// Commands on the source config (secrets, D1, R2, triggers) take the environment; the build carries it already.
const source = ["-c", configFile, "--env", env];
// Loaded after the argument checks: wrangler is a large import.
const { unstable_readConfig } = await import("wrangler");
const { DEPLOYED_LIFECYCLE_KEY, lifecycleRecord, lifecycleRules } = await import("../worker/content/layout");
const { formatFindings, preflight, repositoryInputs } = await import("./preflight");
const config = unstable_readConfig({ config: configFile, env });

/** A read from Cloudflare the deploy depends on: a failure stops everything before anything changed. */
function remoteRead<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const detail =
      (error as { stderr?: string }).stderr?.trim().split("\n").slice(-3).join(" ") ?? String(error);
    console.error(
      `\nPreflight could not read ${what} from Cloudflare: ${detail || "the command failed"}\nNothing was deployed or changed: fix access (npx wrangler login, CLOUDFLARE_API_TOKEN) and run it again.`,
    );
    process.exit(1);
  }
}

function remoteSecrets(): string[] {
  const out = run(wrangler, ["secret", "list", "--format", "json", ...source], true);
  return (JSON.parse(out) as { name: string }[]).map((s) => s.name);
}

/** Migrations already applied remotely; a database with no d1_migrations table yet has none. */
function remoteApplied(): string[] {
  try {
    const out = run(
      wrangler,
      ["d1", "execute", "DB", "--remote", "--json", "--command", "SELECT name FROM d1_migrations", ...source],
      true,
    );
    return (JSON.parse(out) as { results: { name: string }[] }[]).flatMap((r) =>
      r.results.map((x) => x.name),
    );
  } catch (error) {
    const said = `${(error as { stderr?: string }).stderr ?? ""}${(error as { stdout?: string }).stdout ?? ""}`;
    if (/no such table: d1_migrations/i.test(said)) return []; // a new database
    throw error;
  }
}

const days = (seconds: number) => `${seconds / 86_400} day${seconds === 86_400 ? "" : "s"}`;

/** The deploy redirect the build wrote (.wrangler/deploy/config.json), if it points at an environment's build. */
const redirect = path.join(root, ".wrangler", "deploy", "config.json");
function dropEnvironmentRedirect(): void {
  if (existsSync(redirect) && readFileSync(redirect, "utf8").includes(`build/${env}/`)) rmSync(redirect);
}

function main(): void {
  console.info(`Deploying ${config.name} (env ${env})${dryRun ? " — dry run" : ""}`);
  // Captured: its output is noise unless it fails (then execFileSync throws with it). Into build/<env>
  // (react-router.config.ts), so `npm start`'s local build never overwrites it.
  run("react-router", ["build"], true, { ...quietWrangler, NODE_ENV: "production", CLOUDFLARE_ENV: env });

  const findings = preflight({
    config,
    secrets: dryRun ? undefined : remoteRead("the secrets (wrangler secret list)", remoteSecrets),
    applied: dryRun ? undefined : remoteRead("the applied migrations (d1_migrations)", remoteApplied),
    ...repositoryInputs(root),
  });
  console.info(`\nPreflight (env ${env}):\n${formatFindings(findings)}`);
  const failed = findings.some((f) => !f.ok);

  if (dryRun) {
    // The build's own config (.wrangler/deploy redirect): bundles and validates, uploads nothing.
    run(wrangler, ["deploy", "--dry-run"]);
  } else if (failed) {
    console.error("\nNothing was deployed: fix the problems above.");
    dropEnvironmentRedirect();
    process.exit(1);
  }

  const content = config.r2_buckets.find((b: { binding: string }) => b.binding === "CONTENT");
  const bucket = content?.bucket_name;
  if (!bucket) throw new Error("wrangler.toml has no R2 bucket bound as CONTENT");
  // A bucket in a jurisdiction (DATA_RESIDENCY "eu", ADR 055) is only found when wrangler is told it.
  const inJurisdiction = content?.jurisdiction ? ["--jurisdiction", content.jurisdiction] : [];
  const dir = mkdtempSync(path.join(tmpdir(), "botmara-deploy-"));
  const rulesFile = path.join(dir, "lifecycle.json");
  const rules = lifecycleRules();
  writeFileSync(rulesFile, JSON.stringify(rules, null, 2));
  try {
    step(wrangler, ["d1", "migrations", "apply", "DB", "--remote", ...source]);
    // `lifecycle set` replaces the bucket's whole configuration, so running deploy again is idempotent.
    console.info(`\nR2 lifecycle rules for ${bucket}:`);
    for (const r of rules.rules)
      console.info(
        `  ${r.id}: delete objects under ${r.conditions.prefix} ${days(r.deleteObjectsTransition.condition.maxAge)} after upload`,
      );
    step(wrangler, [
      "r2",
      "bucket",
      "lifecycle",
      "set",
      bucket,
      "--file",
      rulesFile,
      "--force",
      ...inJurisdiction,
      ...source,
    ]);
    // What was just set, recorded in the bucket itself: the P5 promise check compares it with the retention classes.
    const recordFile = path.join(dir, "lifecycle-record.json");
    writeFileSync(recordFile, JSON.stringify(lifecycleRecord(new Date(), "deploy", rules.rules), null, 2));
    step(wrangler, [
      "r2",
      "object",
      "put",
      `${bucket}/${DEPLOYED_LIFECYCLE_KEY}`,
      "--file",
      recordFile,
      "--content-type",
      "application/json",
      "--remote",
      ...inJurisdiction,
      ...source,
    ]);
    if (values.initial) step(wrangler, ["deploy"]);
    else {
      const uploaded = step(wrangler, ["versions", "upload"]);
      const id = uploaded.match(/Worker Version ID:\s*([0-9a-f-]{36})/i)?.[1];
      if (!dryRun && !id) throw new Error(`could not read the version id from:\n${uploaded}`);
      step(wrangler, ["versions", "deploy", `${id ?? "<version id>"}@100%`, "--yes"]);
      // Version uploads carry no triggers: the environment's crons and routes are applied here, every time (wrangler
      // cannot list the deployed ones to compare; applying the same ones again changes nothing).
      step(wrangler, ["triggers", "deploy", ...source]);
    }
    console.info(
      dryRun
        ? `\nDry run: nothing was changed.${failed ? " The preflight failed: a real deploy would stop before any step." : ""}`
        : "\nDeployed. A bad version: `npx wrangler rollback` (or `npx wrangler versions deploy <previous id>@100%`).",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    // A bare `wrangler deploy` must not find this build and deploy it without the preflight.
    dropEnvironmentRedirect();
  }
  if (failed) process.exit(1);
}

main();
