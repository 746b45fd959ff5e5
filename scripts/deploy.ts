// `npm run deploy` (operators): build, preflight (scripts/preflight.ts: fails with the list of what is wrong),
// remote D1 migrations, the R2 lifecycle rules (one per retention class; what was set is recorded in the
// bucket at deploy/lifecycle.json for the P5 promise check), then `wrangler versions upload` and
// `wrangler versions deploy` — so a bad version is rolled back with `npx wrangler rollback`.
//   --env staging|production (wrangler.toml's [env.*]; anything else fails), --dry-run (the offline preflight and
//   `wrangler deploy --dry-run` on the build; nothing changes), --initial (first deploy or a new Durable Object
//   class: `wrangler deploy`, since version uploads cannot carry Durable Object migrations).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const root = path.resolve(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    "dry-run": { type: "boolean", default: false },
    env: { type: "string" },
    initial: { type: "boolean", default: false },
  },
});
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
const wrangler = path.join(root, "node_modules/.bin/wrangler");

/** Runs a command for real (prints it first); `capture` returns its stdout instead of streaming it. */
function run(
  command: string,
  args: string[],
  capture = false,
  env: NodeJS.ProcessEnv = quietWrangler,
): string {
  console.info(`\n$ ${[path.basename(command), ...args].join(" ")}`);
  if (capture) return execFileSync(command, args, { cwd: root, env, encoding: "utf8" });
  execFileSync(command, args, { cwd: root, stdio: "inherit", env });
  return "";
}

/** A step a dry run only names. */
function step(command: string, args: string[]): string {
  if (!dryRun) return run(command, args, true);
  console.info(`\n(would run) $ ${[path.basename(command), ...args].join(" ")}`);
  return "";
}

/** The environments wrangler.toml defines ([env.NAME]). */
function environments(): string[] {
  const toml = readFileSync(path.join(root, "wrangler.toml"), "utf8");
  return [...new Set([...toml.matchAll(/^\[env\.([\w-]+)[\].]/gm)].map((m) => m[1]!))];
}

const envs = environments();
if (values.env !== undefined && !envs.includes(values.env)) {
  console.error(`deploy: unknown --env "${values.env}"; wrangler.toml defines: ${envs.join(", ") || "none"}`);
  process.exit(1);
}
// Commands on the source config (secrets, D1, R2) take the environment; the build carries it already.
const source = ["-c", "wrangler.toml", ...(values.env ? ["--env", values.env] : [])];
// Loaded after the argument checks: wrangler is a large import.
const { unstable_readConfig } = await import("wrangler");
const { DEPLOYED_LIFECYCLE_KEY, lifecycleRecord, lifecycleRules } = await import("../worker/content/layout");
const { formatFindings, preflight, repositoryInputs } = await import("./preflight");
const config = unstable_readConfig({ config: path.join(root, "wrangler.toml"), env: values.env });

function remoteSecrets(): string[] {
  const out = run(wrangler, ["secret", "list", "--format", "json", ...source], true);
  return (JSON.parse(out) as { name: string }[]).map((s) => s.name);
}

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
  } catch {
    return []; // a new database: no d1_migrations table yet
  }
}

const days = (seconds: number) => `${seconds / 86_400} day${seconds === 86_400 ? "" : "s"}`;

function main(): void {
  console.info(
    `Deploying ${config.name}${values.env ? ` (env ${values.env})` : ""}${dryRun ? " — dry run" : ""}`,
  );
  // Captured: its output is noise unless it fails (then execFileSync throws with it).
  run(path.join(root, "node_modules/.bin/react-router"), ["build"], true, {
    ...quietWrangler,
    NODE_ENV: "production",
    ...(values.env ? { CLOUDFLARE_ENV: values.env } : {}),
  });

  const findings = preflight({
    config,
    secrets: dryRun ? undefined : remoteSecrets(),
    applied: dryRun ? undefined : remoteApplied(),
    ...repositoryInputs(root),
  });
  console.info(`\nPreflight${values.env ? ` (env ${values.env})` : ""}:\n${formatFindings(findings)}`);
  const failed = findings.some((f) => !f.ok);

  if (dryRun) {
    // The build's own config (.wrangler/deploy redirect): bundles and validates, uploads nothing.
    run(wrangler, ["deploy", "--dry-run"]);
  } else if (failed) {
    console.error("\nNothing was deployed: fix the problems above.");
    process.exit(1);
  }

  const bucket = config.r2_buckets.find((b: { binding: string }) => b.binding === "CONTENT")?.bucket_name;
  if (!bucket) throw new Error("wrangler.toml has no R2 bucket bound as CONTENT");
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
    step(wrangler, ["r2", "bucket", "lifecycle", "set", bucket, "--file", rulesFile, "--force", ...source]);
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
      ...source,
    ]);
    if (values.initial) step(wrangler, ["deploy"]);
    else {
      const uploaded = step(wrangler, ["versions", "upload"]);
      const id = uploaded.match(/Worker Version ID:\s*([0-9a-f-]{36})/i)?.[1];
      if (!dryRun && !id) throw new Error(`could not read the version id from:\n${uploaded}`);
      step(wrangler, ["versions", "deploy", `${id ?? "<version id>"}@100%`, "--yes"]);
    }
    console.info(
      dryRun
        ? `\nDry run: nothing was changed.${failed ? " The preflight failed: a real deploy would stop before any step." : ""}`
        : "\nDeployed. A bad version: `npx wrangler rollback` (or `npx wrangler versions deploy <previous id>@100%`).",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (failed) process.exit(1);
}

main();
