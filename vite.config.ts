import path from "node:path";
import { cloudflare } from "@cloudflare/vite-plugin";
import { reactRouter } from "@react-router/dev/vite";
import { defineConfig, type Plugin } from "vite";

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

export default defineConfig({
  plugins: [chartsInBrowserOnly, cloudflare({ viteEnvironment: { name: "ssr" } }), reactRouter()],
  resolve: { tsconfigPaths: true },
  // The Worker is minified like the client: less to upload, parse and start per isolate.
  environments: { ssr: { build: { minify: true } } },
});
