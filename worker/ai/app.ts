// The AI API's own app: index.ts dispatches /v1 here before the dashboard's chain, so an AI request runs only
// the middleware it uses (front.ts, then the key, the limits and the route) — no CSRF check, session cookie or
// dashboard routing. The same routes are mounted in the full app for the OpenAPI document.
import { notFound } from "../errors";
import { front } from "../front";
import { createRouter } from "../openapi";
import { noStoreByDefault } from "../security/private-responses";
import { catalogueFresh } from "./catalogue/overrides/cache";
import { aiRoutes } from "./routes";

export const aiApp = createRouter();
front(aiApp);
aiApp.use("*", noStoreByDefault, catalogueFresh);
aiApp.route("/v1", aiRoutes);
aiApp.all("*", () => {
  throw notFound("Route");
});

/** Whether a URL's path is /v1 or below it (read from the string: no URL object on the hot path). */
export function isAiUrl(url: string): boolean {
  const path = url.indexOf("/", url.indexOf("//") + 2);
  if (path < 0 || !url.startsWith("/v1", path)) return false;
  const next = url.charCodeAt(path + 3);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */ || next === 35 /* # */;
}
