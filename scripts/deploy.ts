// `npm run deploy` (operators): build, apply D1 migrations remotely, set the R2 lifecycle rules (one per
// retention class, from the same module the retention sweep uses), then `wrangler deploy`.
// `--dry-run` prints the steps and the lifecycle rules without touching Cloudflare.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { unstable_readConfig } from "wrangler";
import { lifecycleRules } from "../worker/content/layout";

const { values } = parseArgs({
  options: { "dry-run": { type: "boolean", default: false }, env: { type: "string" } },
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

function run(command: string, args: string[]): void {
  console.info(`\n$ ${[command, ...args].join(" ")}`);
  if (dryRun) return;
  execFileSync(command, args, { stdio: "inherit", env: quietWrangler });
}

const envArgs = values.env ? ["--env", values.env] : [];

/** The content bucket's name, read from wrangler.toml's CONTENT binding. */
function contentBucket(): string {
  const config = unstable_readConfig({ config: "wrangler.toml", env: values.env });
  const bucket = config.r2_buckets.find((b: { binding: string }) => b.binding === "CONTENT")?.bucket_name;
  if (!bucket) throw new Error("wrangler.toml has no R2 bucket bound as CONTENT");
  return bucket;
}

const days = (seconds: number) => `${seconds / 86_400} day${seconds === 86_400 ? "" : "s"}`;

function main(): void {
  const bucket = contentBucket();
  const rules = lifecycleRules();
  const dir = mkdtempSync(path.join(tmpdir(), "botmara-deploy-"));
  const rulesFile = path.join(dir, "lifecycle.json");
  writeFileSync(rulesFile, JSON.stringify(rules, null, 2));
  try {
    run("npx", ["react-router", "build"]);
    run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--remote", ...envArgs]);
    // `lifecycle set` replaces the bucket's whole configuration, so running deploy again is idempotent.
    console.info(`\nR2 lifecycle rules for ${bucket}:`);
    for (const r of rules.rules) {
      console.info(
        `  ${r.id}: delete objects under ${r.conditions.prefix} ${days(r.deleteObjectsTransition.condition.maxAge)} after upload`,
      );
    }
    run("npx", ["wrangler", "r2", "bucket", "lifecycle", "set", bucket, "--file", rulesFile, "--force"]);
    run("npx", ["wrangler", "deploy", ...envArgs]);
    console.info(dryRun ? "\nDry run: nothing was changed." : "\nDeployed.");
    console.info(
      "Secrets (npx wrangler secret put NAME): MASTER_KEY, and the provider, Stripe and mail keys.",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
