// Test helper: a page component rendered as the server renders it, with the props React Router gives a route
// (its loader's data and an action's answer), inside a router so <Form> and <Link> work.
import { createElement, type ReactNode } from "react";
import { renderToString } from "react-dom/server";
import { createRoutesStub } from "react-router";

type Page = (props: Record<string, unknown>) => ReactNode;

let current: { page: Page; props: Record<string, unknown> } | undefined;
const Current = () => createElement(current!.page, current!.props);

export function renderPage(page: unknown, path: string, loaderData: unknown, actionData?: unknown): string {
  current = { page: page as Page, props: { loaderData, actionData, params: {}, matches: [] } };
  const Stub = createRoutesStub([{ path: new URL(path, "http://x").pathname, Component: Current }]);
  // Without the markers React puts between adjacent texts, so a sentence reads as on the page.
  return renderToString(createElement(Stub, { initialEntries: [path] })).replaceAll("<!-- -->", "");
}
