// Test projects: "workers" runs inside workerd with real D1/R2/DO bindings; "node" runs pure code;
// "e2e" drives a real Chromium against the built Worker served as `npm start` serves it.
import { defineConfig } from "vitest/config";
import { workersProject } from "./tests/pool/workers-project";

// Tests need no network: no Request.cf download, no telemetry, no update check.
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";
process.env.WRANGLER_HIDE_BANNER = "true";

export default defineConfig({
  test: {
    projects: [
      workersProject("workers", ["tests/pool/**/*.test.ts", "worker/**/*.test.ts"]),
      {
        test: {
          name: "node",
          environment: "node",
          include: ["tests/node/**/*.test.{ts,tsx}"],
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
