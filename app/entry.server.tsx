// Server rendering on Workers: a web stream, and complete HTML for bots.
import { isbot } from "isbot";
import { renderToReadableStream } from "react-dom/server";
import type { AppLoadContext, EntryContext } from "react-router";
import { isRouteErrorResponse, ServerRouter } from "react-router";
import { log } from "#worker/observability/log";
import { contentSecurityPolicy } from "#worker/security/headers";

/** React Router's error hook: a 4xx (a missing favicon) is the request log's one line, not a stack trace. */
export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted || (isRouteErrorResponse(error) && error.status < 500)) return;
  log.error("dashboard loader or action failed", { route: new URL(request.url).pathname, error });
}

export default async function handleRequest(
  request: Request,
  status: number,
  headers: Headers,
  routerContext: EntryContext,
  loadContext: AppLoadContext,
) {
  let statusCode = status;
  const nonce = loadContext.cspNonce;
  const body = await renderToReadableStream(
    <ServerRouter context={routerContext} url={request.url} nonce={nonce} />,
    {
      signal: request.signal,
      nonce,
      onError(error: unknown) {
        statusCode = 500;
        log.error("dashboard render failed", { route: new URL(request.url).pathname, error });
      },
    },
  );
  if (isbot(request.headers.get("user-agent") ?? "")) await body.allReady;
  headers.set("Content-Type", "text/html; charset=utf-8");
  headers.set("Content-Security-Policy", contentSecurityPolicy(nonce));
  return new Response(body, { headers, status: statusCode });
}
