// Builds the Worker as it ships (NODE_ENV=production) and serves it as `npm start` does, on a free port,
// with fresh state.
import { execFileSync } from "node:child_process";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "../../scripts/ports";
import { type RunningServer, startServer } from "../../scripts/server";
import { startFakes } from "../fakes/index";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const root = path.resolve(import.meta.dirname, "../..");
  execFileSync(path.join(root, "node_modules/.bin/react-router"), ["build"], {
    cwd: root,
    stdio: "ignore",
    env: { ...process.env, NODE_ENV: "production" },
  });
  const fakes = await startFakes();
  const port = await freePort();
  const server: RunningServer = await startServer({
    port,
    quiet: true,
    vars: {
      ...fakes.vars,
      MASTER_KEY: "ZTJlLW1hc3Rlci1rZXktMzItYnl0ZXMtbG9uZy0hISE=",
      // The second operator is the page sweep's (pages.test.ts), so it never races privacy.test.ts's sign-up.
      ADMIN_EMAILS: "operator@example.com,pages-operator@example.com",
      // The operators here sign up by fetch; the second-factor gate has its own server (two-factor.test.ts).
      REQUIRE_2FA_FOR_OPERATORS: "false",
      // Every e2e file signs up from the one loopback address; the default 20 signups/hour would refuse the later ones.
      AUTH_LIMITS: JSON.stringify({ signupPerAddress: { limit: 1000 } }),
    },
  });
  project.provide("baseUrl", `http://localhost:${port}`);
  return async () => {
    await server.close();
    await fakes.close();
  };
}
