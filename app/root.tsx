import type { ReactNode } from "react";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
  useRouteLoaderData,
} from "react-router";
import { readSessionCookie } from "#worker/accounts/sessions";
import "./load-context";
import type { Route } from "./+types/root";
import { SiteHeader } from "./components/SiteHeader";
import stylesHref from "./styles.css?url";

export function loader({ request, context }: Route.LoaderArgs) {
  return {
    nonce: context.cspNonce,
    appName: context.cloudflare.env.APP_NAME ?? "Botmara",
    // Only for the error page's header: whether a session cookie is present (no lookup).
    hasSession: Boolean(readSessionCookie(request.url, request.headers.get("cookie"))),
  };
}

export const links = () => [
  { rel: "stylesheet", href: stylesHref },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useRouteLoaderData<typeof loader>("root")?.nonce;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links nonce={nonce} />
      </head>
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

/** The one error boundary: a titled page inside the site's frame, a plain message, never a stack trace. */
export function ErrorBoundary() {
  const error = useRouteError();
  const root = useRouteLoaderData<typeof loader>("root");
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const notFound = status === 404;
  const title = notFound ? "Page not found" : status >= 500 ? "Something went wrong" : "This did not work";
  const message = notFound
    ? "There is no page at this address. It may have moved, or the link may be mistyped."
    : status >= 500
      ? "An error on our side stopped this page. Try again in a moment; if it keeps happening, tell us what you were doing."
      : isRouteErrorResponse(error) && error.statusText
        ? error.statusText
        : "The request could not be completed.";
  const appName = root?.appName ?? "Botmara";
  return (
    <>
      <title>{`${title} — ${appName}`}</title>
      <SiteHeader appName={appName} signedIn={root?.hasSession ?? false} />
      <main id="main" className="center-page">
        <div className="card narrow">
          <h1>{title}</h1>
          <p>{message}</p>
          <p className="muted">Error {status}</p>
          <p className="inline">
            <a href="/">Home</a>
            {root?.hasSession ? <a href="/dashboard">Dashboard</a> : null}
            <a href="/models">Models and prices</a>
          </p>
        </div>
      </main>
    </>
  );
}
