// Vite: the Cloudflare plugin runs the Worker under workerd; React Router builds the dashboard.
// `vite dev` (npm run dev) serves in local mode; `vite build` (what ships) never sets LOCAL_MODE.
import path from "node:path";
import { cloudflare } from "@cloudflare/vite-plugin";
import { reactRouter } from "@react-router/dev/vite";
import { defineConfig, type Plugin } from "vite";
import { refuseBareDeploy } from "./scripts/refuse-bare-deploy";

/** Charts draw only in the browser, so the server build gets a stub instead of recharts (smaller Worker). */
const chartsInBrowserOnly: Plugin = {
  name: "charts-in-browser-only",
  enforce: "pre",
  resolveId(id) {
    if (id === "recharts" && this.environment.name === "ssr") {
      return path.resolve(import.meta.dirname, "app/lib/recharts-server-stub.ts");
    }
  },
};

/** After a local build (no CLOUDFLARE_ENV), a bare `wrangler deploy` is refused (scripts/refuse-bare-deploy.ts). */
const localBuildsDeployNowhere: Plugin = {
  name: "local-builds-deploy-nowhere",
  apply: "build",
  writeBundle: {
    order: "post",
    handler() {
      // After the Cloudflare plugin wrote its redirect for the Worker's environment.
      if (this.environment.name === "ssr" && !process.env.CLOUDFLARE_ENV)
        refuseBareDeploy(import.meta.dirname);
    },
  },
};

export default defineConfig(({ command, isPreview }) => ({
  plugins: [
    chartsInBrowserOnly,
    cloudflare({
      viteEnvironment: { name: "ssr" },
      // npm run dev is local: dev mailbox, dev provider ("auto"), plain-http loopback upstreams (ADR 071).
      ...(command === "serve" && !isPreview
        ? { config: (worker) => ({ vars: { ...worker.vars, LOCAL_MODE: "true", DEV_PROVIDER: "auto" } }) }
        : {}),
    }),
    reactRouter(),
    localBuildsDeployNowhere,
  ],
  resolve: { tsconfigPaths: true },
  // The Worker is minified like the client: less to upload, parse and start per isolate. `npm run
  // bench:profile` builds it readable (PROFILE_BUILD=1) so a CPU profile names our functions.
  environments: { ssr: { build: { minify: process.env.PROFILE_BUILD !== "1" } } },
}));
