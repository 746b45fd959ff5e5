// What the Worker hands every loader and action: its bindings and execution context.
import "react-router";

declare module "react-router" {
  interface AppLoadContext {
    cloudflare: { env: Env; ctx: ExecutionContext };
  }
}
