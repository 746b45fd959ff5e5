// The workerd test project (real D1/R2/DO bindings, migrations applied, outside services faked on
// loopback), shared by the test suite and the workerd measurements in bench/workerd/.
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import type { TestProjectInlineConfiguration } from "vitest/config";

const root = path.resolve(import.meta.dirname, "../..");

export function workersProject(name: string, include: string[]): TestProjectInlineConfiguration {
  return {
    plugins: [
      cloudflareTest(async ({ inject }) => ({
        main: path.join(root, "worker/index.ts"),
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: await readD1Migrations(path.join(root, "db/migrations")),
            MASTER_KEY: "dGVzdC1tYXN0ZXIta2V5LTMyLWJ5dGVzLWxvbmctISE=",
            RECEIPT_SIGNING_KEY: "dGVzdC1yZWNlaXB0LXNpZ25pbmcta2V5LTMyLWJ5dGU=",
            ADMIN_EMAILS: "operator@example.com",
            ...inject("fakeVars"),
          },
        },
      })),
    ],
    resolve: {
      alias: { "virtual:react-router/server-build": path.join(root, "tests/pool/server-build-stub.ts") },
    },
    test: {
      name,
      root,
      include,
      setupFiles: [path.join(root, "tests/pool/apply-migrations.ts")],
      globalSetup: [path.join(root, "tests/pool/global-setup.ts")],
      testTimeout: 30_000,
    },
  };
}
