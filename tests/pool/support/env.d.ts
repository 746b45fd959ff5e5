// Test-only bindings and the typed main module for `exports` from cloudflare:workers.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** wrangler.toml's [vars], exactly as committed (no LOCAL_MODE, no test overrides). */
    DEPLOYED_VARS: Record<string, string>;
    /** The providers configured by data (Groq, Mistral, …) pointed at their fakes (tests/fakes/index.ts). */
    PROVIDER_VARS: Record<string, string>;
  }
  interface GlobalProps {
    mainModule: typeof import("#worker/index");
    durableNamespaces: "AccountDO";
  }
}
