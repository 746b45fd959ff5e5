// /api/admin/catalogue: operators read the catalogue as it stands (overrides included) and add an override —
// a changed price or limit, a disabled model, or a new model for a provider of the catalogue (ADR 035).
import { createRoute } from "@hono/zod-openapi";
import { adminRouter } from "../../../accounts/middleware";
import { errorResponses, jsonBody, jsonContent } from "../../../openapi";
import { operatorCatalogue, saveOverride } from "./service";
import { CatalogueOverride, CatalogueOverrideInput, OperatorCatalogue } from "./views";

export const catalogueAdminRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["Admin"],
      summary: "Every model as it stands now (disabled and added ones too) and every override, newest first",
      responses: { 200: jsonContent(OperatorCatalogue, "The catalogue"), ...errorResponses(401, 403) },
    }),
    async (c) =>
      c.json(await operatorCatalogue(c.var.db, c.var.config), 200, { "Cache-Control": "no-store" }),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/overrides",
      tags: ["Admin"],
      summary:
        "Override a model from a time at least 60 seconds ahead (never retroactive): disable it, change its limits or prices, or add a model for a provider of the catalogue. Recorded in the operator audit.",
      request: jsonBody(CatalogueOverrideInput),
      responses: {
        201: jsonContent(CatalogueOverride, "The saved override, scheduled"),
        ...errorResponses(400, 401, 403, 413, 415),
      },
    }),
    async (c) => {
      const { accountId, email } = c.var.session;
      const saved = await saveOverride(c.env, c.var.db, { accountId, email }, c.req.valid("json"));
      return c.json(saved, 201);
    },
  );
