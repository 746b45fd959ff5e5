// Test helpers: a page's loader or action called as React Router calls it — a real Request (the session cookie,
// form data) and the workerd env in the load context — and what an action answered.
import { env } from "cloudflare:workers";
import { ORIGIN } from "./helpers";

const ctx = { waitUntil: () => {}, passThroughOnException: () => {} } as unknown as ExecutionContext;

/** A loader's or action's arguments (each call its own request id, as each request has). */
// biome-ignore lint/suspicious/noExplicitAny: route args are typed per route by React Router's typegen
export function args(request: Request, params: Record<string, string> = {}): any {
  const context = { cloudflare: { env, ctx }, cspNonce: "n", requestId: crypto.randomUUID() };
  return { request, context, params };
}

/** A page opened by a browser, with the session cookie when given. */
export const page = (path: string, cookie?: string) =>
  new Request(`${ORIGIN}${path}`, { headers: cookie ? { cookie } : {} });

/** A plain form posted from our own origin, with the session cookie when given. */
export const post = (path: string, fields: Record<string, string>, cookie?: string) =>
  new Request(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { origin: ORIGIN, ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields),
  });

/** An action's answer: plain data, or React Router's `data()` wrapper (its data, with its status). */
export const unwrap = (r: unknown) =>
  (r && typeof r === "object" && "type" in r && (r as { type: string }).type === "DataWithResponseInit"
    ? {
        ...(r as unknown as { data: object }).data,
        status: (r as unknown as { init?: { status?: number } }).init?.status,
      }
    : r) as Record<string, unknown> & {
    status?: number;
    error?: { message: string; fields: Record<string, string> };
    values?: Record<string, string>;
  };
