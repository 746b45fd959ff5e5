// /api/keys: create (secret shown once), list, revoke.
import { createRoute, z } from "@hono/zod-openapi";
import { requireSession } from "../accounts/middleware";
import { createRouter, errorResponses, IsoDate, jsonBody, jsonContent } from "../openapi";
import { createKey, listKeys, revokeKey } from "./service";

const Key = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ example: "bm_Xk3v9QaZ" }),
    createdAt: IsoDate,
    lastUsedAt: IsoDate.nullable(),
    revokedAt: IsoDate.nullable(),
    rateLimitRpm: z.number().int().nullable(),
  })
  .openapi("ApiKey");
const NewKey = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    rateLimitRpm: z.number().int().min(1).max(100_000).nullable().optional(),
  })
  .openapi("NewApiKey");
const CreatedKey = Key.extend({
  key: z.string().openapi({ description: "The secret. Shown only in this response." }),
}).openapi("CreatedApiKey");

export const keyRoutes = createRouter();
keyRoutes.use("*", requireSession);
keyRoutes
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["API keys"],
      summary: "List your API keys (never their secrets)",
      responses: { 200: jsonContent(z.object({ data: z.array(Key) }), "Keys"), ...errorResponses(401) },
    }),
    async (c) => c.json({ data: await listKeys(c.var.db, c.var.session!.accountId) }, 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["API keys"],
      summary: "Create an API key; the secret is returned once",
      request: jsonBody(NewKey),
      responses: { 201: jsonContent(CreatedKey, "The new key"), ...errorResponses(400, 401, 415) },
    }),
    async (c) => c.json(await createKey(c.var.db, c.var.session!.accountId, c.req.valid("json")), 201),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["API keys"],
      summary: "Revoke an API key at once",
      request: { params: z.object({ id: z.string().max(64) }) },
      responses: { 204: { description: "Revoked" }, ...errorResponses(401, 404) },
    }),
    async (c) => {
      await revokeKey(c.var.db, c.var.session!.accountId, c.req.valid("param").id);
      return c.body(null, 204);
    },
  );
