// Test-only bindings and the typed main module for `exports` from cloudflare:workers.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
  interface GlobalProps {
    mainModule: typeof import("../../worker/index");
    durableNamespaces: "AccountDO";
  }
}
