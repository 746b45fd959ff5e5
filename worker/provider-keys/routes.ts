// /api/provider-keys: bring your own key. PUT needs sudo and never echoes the key; GET shows prefixes only.
import { createRoute, z } from "@hono/zod-openapi";
import { sessionRouter } from "../accounts/middleware";
import { requireSudo } from "../accounts/sudo";
import { errorResponses, jsonBody, jsonContent } from "../openapi";
import { deleteProviderKey, listProviderKeys, putProviderKey, setPlatformFallback } from "./service";
import { ProviderKey, ProviderKeyInput, ProviderKeyPatch, ProviderParam } from "./views";

export const providerKeyRoutes = sessionRouter();
providerKeyRoutes
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["Provider keys"],
      summary: "Your own provider keys (their prefixes; never the keys)",
      security: [{ session: [] }],
      responses: { 200: jsonContent(z.array(ProviderKey), "Your keys"), ...errorResponses(401) },
    }),
    async (c) => c.json(await listProviderKeys(c.var.db, c.var.session.accountId), 200),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/{provider}",
      tags: ["Provider keys"],
      summary:
        "Store your own key for a provider: that provider's requests then use it, billed at the platform fee. Needs your password or a recent re-authentication.",
      security: [{ session: [] }],
      request: { params: ProviderParam, ...jsonBody(ProviderKeyInput) },
      responses: {
        200: jsonContent(ProviderKey, "The stored key, by its prefix"),
        ...errorResponses(400, 401, 409, 413, 415, 429),
      },
    }),
    async (c) => {
      const { password, ...input } = c.req.valid("json");
      const session = c.var.session;
      await requireSudo(c.env, session, password, c.req.raw.headers);
      const view = await putProviderKey(
        c.env,
        c.var.db,
        session.accountId,
        c.req.valid("param").provider,
        input,
      );
      return c.json(view, 200, { "Cache-Control": "no-store" });
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{provider}",
      tags: ["Provider keys"],
      summary:
        "Turn the platform-key fallback on or off for your stored key (the key is neither needed nor shown)",
      security: [{ session: [] }],
      request: { params: ProviderParam, ...jsonBody(ProviderKeyPatch) },
      responses: {
        200: jsonContent(ProviderKey, "The stored key, by its prefix"),
        ...errorResponses(400, 401, 404, 413, 415),
      },
    }),
    async (c) => {
      const view = await setPlatformFallback(
        c.var.db,
        c.var.session.accountId,
        c.req.valid("param").provider,
        c.req.valid("json").allowPlatformFallback,
      );
      return c.json(view, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{provider}",
      tags: ["Provider keys"],
      summary: "Delete your key for a provider: its requests go back to the platform's key",
      security: [{ session: [] }],
      request: { params: ProviderParam },
      responses: { 204: { description: "Deleted" }, ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      await deleteProviderKey(c.var.db, c.var.session.accountId, c.req.valid("param").provider);
      return c.body(null, 204);
    },
  );
