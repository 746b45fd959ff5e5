// `npm run bench:workerd`: measurements inside workerd (credit enforcement's cost, deletion at scale).
// Kept out of `npm test`: they print figures and assert no timing (ADR 005). The workers project brings its
// setup along (migrations, the console.error guard, no-network env), so a measurement logs no stray error either.
import { defineConfig } from "vitest/config";
import { workersProject } from "../../vitest.config";

export default defineConfig({
  test: { projects: [workersProject("measure", ["bench/workerd/**/*.measure.ts"])] },
});
