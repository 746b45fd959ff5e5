import type { Config } from "@react-router/dev/config";

// A build for an environment (CLOUDFLARE_ENV, set by `npm run deploy -- --env …`) goes to build/<env>, so a local
// build (npm start, the bench, the tests) never overwrites what is about to be deployed.
const environment = process.env.CLOUDFLARE_ENV;

export default {
  ssr: true,
  buildDirectory: environment ? `build/${environment}` : "build",
  future: { v8_viteEnvironmentApi: true },
} satisfies Config;
