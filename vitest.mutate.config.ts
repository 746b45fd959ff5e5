// The unit layer that `npm run mutate` (Stryker, stryker.config.json) runs against each mutant: the node tests,
// without the ones that build or serve the Worker (they test no mutated module and would only slow every run).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "mutate",
    environment: "node",
    include: ["tests/node/**/*.test.{ts,tsx}"],
    exclude: ["tests/node/{preflight,readme-verify,wrangler-envs,static-headers,migrations-policy}.test.ts"],
  },
});
