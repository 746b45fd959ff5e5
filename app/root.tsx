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
import "./load-context";
import type { Route } from "./+types/root";
import stylesHref from "./styles.css?url";

export function loader({ context }: Route.LoaderArgs) {
  return { nonce: context.cspNonce };
}

export const links = () => [
  { rel: "stylesheet", href: stylesHref },
  {
    rel: "icon",
    href: "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><rect width='16' height='16' rx='4' fill='%234338ca'/></svg>",
  },
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

/** The one error boundary: a plain message, never a stack trace. */
export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message =
    status === 404
      ? "This page does not exist."
      : isRouteErrorResponse(error)
        ? error.statusText
        : "Something went wrong.";
  return (
    <main className="center-page">
      <div className="card narrow">
        <h1>{status === 404 ? "Not found" : "Error"}</h1>
        <p>{message}</p>
        <p>
          <a href="/">Back to the start</a>
        </p>
      </div>
    </main>
  );
}
