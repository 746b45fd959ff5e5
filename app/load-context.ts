// What the Worker hands every loader and action: its bindings and execution context.
import "react-router";

declare module "react-router" {
  interface AppLoadContext {
    cloudflare: { env: Env; ctx: ExecutionContext };
    /** A fresh nonce per page: the only inline scripts the CSP allows are the ones carrying it. */
    cspNonce: string;
    /** This request's id (sent back as x-request-id); the playground's gateway call uses it as its own. */
    requestId: string;
  }
}
