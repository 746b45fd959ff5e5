// Test projects: "workers" runs inside workerd with real D1/R2/DO bindings; "node" runs pure code;
// "e2e" drives a real Chromium against the built Worker served as `npm start` serves it.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { unstable_readConfig } from "wrangler";

// Tests need no network: no Request.cf download, no telemetry, no update check.
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";
process.env.WRANGLER_HIDE_BANNER = "true";

const root = import.meta.dirname;

// wrangler.toml serves assets from build/client, and the pool refuses a config whose assets folder is missing;
// the workers tests need no built dashboard (they stub it), so a fresh clone gets an empty folder, not a build.
mkdirSync(path.join(root, "build/client"), { recursive: true });

/** The workerd project; bench/workerd/vitest.config.ts runs its measurements in the same setup. */
export function workersProject(name: string, include: string[]): TestProjectInlineConfiguration {
  return {
    plugins: [
      cloudflareTest(async ({ inject }) => ({
        main: path.join(root, "worker/index.ts"),
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: await readD1Migrations(path.join(root, "db/migrations")),
            // The tests serve the Worker locally (docs/decisions/071-one-notion-of-local.md).
            LOCAL_MODE: "true",
            // wrangler.toml's [vars] as committed: tests of the deployed config build their env from these.
            DEPLOYED_VARS: unstable_readConfig({ config: path.join(root, "wrangler.toml") }).vars,
            MASTER_KEY: "dGVzdC1tYXN0ZXIta2V5LTMyLWJ5dGVzLWxvbmctISE=",
            RECEIPT_SIGNING_KEY: "dGVzdC1yZWNlaXB0LXNpZ25pbmcta2V5LTMyLWJ5dGU=",
            ADMIN_EMAILS: "operator@example.com",
            ...inject("fakeVars"),
            // The providers configured by data, on their fakes: tests of them run the Worker with these added.
            PROVIDER_VARS: inject("providerVars"),
          },
        },
      })),
    ],
    resolve: {
      alias: {
        "virtual:react-router/server-build": path.join(root, "tests/pool/support/server-build-stub.ts"),
      },
    },
    test: {
      name,
      root,
      include,
      setupFiles: [
        path.join(root, "tests/pool/support/apply-migrations.ts"),
        path.join(root, "tests/pool/support/fail-on-console-error.ts"),
      ],
      globalSetup: [path.join(root, "tests/pool/support/global-setup.ts")],
      testTimeout: 30_000,
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      workersProject("workers", ["tests/pool/**/*.test.ts", "worker/**/*.test.ts"]),
      {
        test: {
          name: "node",
          environment: "node",
          include: ["tests/node/**/*.test.{ts,tsx}"],
          // A few node tests start processes (the README's verifier, a fake wrangler): room for a busy machine.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: ["./tests/e2e/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
