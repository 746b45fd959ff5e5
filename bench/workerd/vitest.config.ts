// `npm run bench:workerd`: measurements inside workerd (credit enforcement's cost, deletion at scale).
// Kept out of `npm test`: they print figures and assert no timing (ADR 005).
import { defineConfig } from "vitest/config";
import { workersProject } from "../../vitest.config";

process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";
process.env.WRANGLER_HIDE_BANNER = "true";

export default defineConfig({
  test: { projects: [workersProject("measure", ["bench/workerd/**/*.measure.ts"])] },
});
