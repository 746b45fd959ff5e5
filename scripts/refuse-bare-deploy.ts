// A local build (no CLOUDFLARE_ENV) must not be deployable by a bare `npx wrangler deploy`: Cloudflare's Vite
// plugin points wrangler at every build it writes (.wrangler/deploy/config.json), and the top level of
// wrangler.toml is for local runs only. After such a build, the redirect points at a config wrangler refuses
// before it reads anything remote, its message naming the way that deploys: `npm run deploy -- --env …`.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The message a bare `wrangler deploy` shows after a local build (in a Worker name wrangler refuses). */
export const BARE_DEPLOY_REFUSAL = "local build: deploy with npm run deploy -- --env staging|production";

export function refuseBareDeploy(root: string): void {
  const dir = path.join(root, ".wrangler", "deploy");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "refused.json"),
    JSON.stringify({
      name: BARE_DEPLOY_REFUSAL,
      main: "../../build/server/index.js",
      compatibility_date: "2026-04-01",
      configPath: path.join(dir, "refused.json"),
      userConfigPath: path.join(root, "wrangler.toml"),
    }),
  );
  writeFileSync(
    path.join(dir, "config.json"),
    JSON.stringify({ configPath: "refused.json", auxiliaryWorkers: [] }),
  );
}
