// Vite: the Cloudflare plugin runs the Worker under workerd; React Router builds the dashboard.
// `vite dev` (npm run dev) serves in local mode; `vite build` (what ships) never sets LOCAL_MODE.
import { cloudflare } from "@cloudflare/vite-plugin";
import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

export default defineConfig(({ command, isPreview }) => ({
  plugins: [
    cloudflare({
      viteEnvironment: { name: "ssr" },
      // npm run dev is local: dev mailbox, dev provider ("auto"), plain-http loopback upstreams (ADR 071).
      ...(command === "serve" && !isPreview
        ? { config: (worker) => ({ vars: { ...worker.vars, LOCAL_MODE: "true", DEV_PROVIDER: "auto" } }) }
        : {}),
    }),
    reactRouter(),
  ],
  resolve: { tsconfigPaths: true },
}));
