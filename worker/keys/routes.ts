// /api/keys: create (secret shown once), list, rename or change limits, revoke.
import { createRoute, z } from "@hono/zod-openapi";
import { sessionRouter } from "../accounts/middleware";
import { errorResponses, jsonBody, jsonContent } from "../openapi";
import { createKey, getKey, listKeys, MAX_KEYS_PER_ACCOUNT, revokeKey, updateKey } from "./service";
import { CreatedKey, Key, KeyPatch, keySettingsFields } from "./views";

const NewKey = z
  .strictObject({ name: z.string().trim().min(1).max(100), ...keySettingsFields })
  .openapi("NewApiKey", {
    description: `At most ${MAX_KEYS_PER_ACCOUNT} active keys per account (409 too_many_keys).`,
  });

const IdParam = z.object({ id: z.string().max(64) });

const toDate = (iso: string | null | undefined) =>
  iso === undefined ? undefined : iso === null ? null : new Date(iso);

export const keyRoutes = sessionRouter();
keyRoutes
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["API keys"],
      summary: "List your API keys (never their secrets)",
      responses: { 200: jsonContent(z.object({ data: z.array(Key) }), "Keys"), ...errorResponses(401) },
    }),
    async (c) => c.json({ data: await listKeys(c.var.db, c.var.session.accountId) }, 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["API keys"],
      summary: "Create an API key; the secret is returned once",
      request: jsonBody(NewKey),
      responses: { 201: jsonContent(CreatedKey, "The new key"), ...errorResponses(400, 401, 409, 415) },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const created = await createKey(c.var.db, c.var.config, c.var.session.accountId, {
        ...input,
        expiresAt: toDate(input.expiresAt),
      });
      return c.json(created, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["API keys"],
      summary: "One of your API keys",
      request: { params: IdParam },
      responses: { 200: jsonContent(Key, "The key"), ...errorResponses(401, 404) },
    }),
    async (c) => c.json(await getKey(c.var.db, c.var.session.accountId, c.req.valid("param").id), 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["API keys"],
      summary: "Rename a key or change its expiry, monthly spend limit or rate limit",
      request: { params: IdParam, ...jsonBody(KeyPatch) },
      responses: { 200: jsonContent(Key, "The key as changed"), ...errorResponses(400, 401, 404, 409, 415) },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const key = await updateKey(c.var.db, c.var.config, c.var.session.accountId, c.req.valid("param").id, {
        ...input,
        expiresAt: toDate(input.expiresAt),
      });
      return c.json(key, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["API keys"],
      summary: "Revoke an API key at once",
      request: { params: IdParam },
      responses: { 204: { description: "Revoked" }, ...errorResponses(401, 404) },
    }),
    async (c) => {
      await revokeKey(c.var.db, c.var.session.accountId, c.req.valid("param").id);
      return c.body(null, 204);
    },
  );
