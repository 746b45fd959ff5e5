// /api/whatsapp/numbers/{phoneNumberId}/templates…: a number's message templates (synced from Meta), the
// fallback template sent when the 24-hour window has closed, what Meta said about the number, and the
// conversations that expired with what was sent instead (ADR 065).
import { createRoute } from "@hono/zod-openapi";
import { sessionRouter } from "../accounts/middleware";
import type { Config } from "../config";
import type { Db } from "../env";
import { notFound } from "../errors";
import { errorResponses, jsonBody, jsonContent } from "../openapi";
import { findConnection } from "./connection";
import { expiredConversations } from "./expired";
import { numberEvents } from "./number-notices";
import { FallbackInput, TemplatesPage } from "./template-views";
import { chooseFallback, fallbackView, listTemplates, syncTemplates, templateView } from "./templates";
import { NumberParam } from "./views";

async function requireNumber(db: Db, accountId: string, phoneNumberId: string) {
  const connection = await findConnection(db, accountId, phoneNumberId);
  if (!connection) throw notFound("WhatsApp number");
  return connection;
}

/** Everything the templates section of one number shows. */
export async function templatesPage(db: Db, accountId: string, phoneNumberId: string) {
  const connection = await requireNumber(db, accountId, phoneNumberId);
  return {
    templates: (await listTemplates(db, phoneNumberId)).map(templateView),
    fallback: await fallbackView(db, connection),
    syncedAt: connection.templatesSyncedAt?.toISOString() ?? null,
    syncError: connection.templatesSyncError,
    events: await numberEvents(db, phoneNumberId),
    expired: await expiredConversations(db, accountId, phoneNumberId),
  };
}

/** Reads the number's templates from Meta again (a failure is kept as the page's syncError). */
export async function resyncTemplates(
  env: Env,
  db: Db,
  config: Config,
  accountId: string,
  phoneNumberId: string,
) {
  await syncTemplates(env, db, config, await requireNumber(db, accountId, phoneNumberId));
}

/** Sets or removes the number's fallback template. */
export async function saveFallback(
  db: Db,
  accountId: string,
  phoneNumberId: string,
  input: { name: string | null; language?: string; parameters: string[] },
) {
  const connection = await requireNumber(db, accountId, phoneNumberId);
  const choice =
    input.name === null
      ? null
      : { name: input.name, language: input.language!, parameters: input.parameters };
  await chooseFallback(db, connection, choice);
}

export const whatsappTemplateRoutes = sessionRouter();
whatsappTemplateRoutes
  .openapi(
    createRoute({
      method: "get",
      path: "/numbers/{phoneNumberId}/templates",
      tags: ["WhatsApp"],
      summary:
        "The number's message templates, its fallback template, Meta's notices about it and the conversations that expired",
      security: [{ session: [] }],
      request: { params: NumberParam },
      responses: {
        200: jsonContent(TemplatesPage, "The templates section"),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const { phoneNumberId } = c.req.valid("param");
      return c.json(await templatesPage(c.var.db, c.var.session.accountId, phoneNumberId), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/numbers/{phoneNumberId}/templates/sync",
      tags: ["WhatsApp"],
      summary:
        "Read the number's templates from Meta again (GET /{waba-id}/message_templates); a failure is reported as syncError",
      security: [{ session: [] }],
      request: { params: NumberParam },
      responses: {
        200: jsonContent(TemplatesPage, "The templates after the sync"),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const { phoneNumberId } = c.req.valid("param");
      const accountId = c.var.session.accountId;
      await resyncTemplates(c.env, c.var.db, c.var.config, accountId, phoneNumberId);
      return c.json(await templatesPage(c.var.db, accountId, phoneNumberId), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/numbers/{phoneNumberId}/templates/fallback",
      tags: ["WhatsApp"],
      summary:
        "Choose the approved template sent when the 24-hour window has closed, with its body parameters (name null: none)",
      security: [{ session: [] }],
      request: { params: NumberParam, ...jsonBody(FallbackInput) },
      responses: {
        200: jsonContent(TemplatesPage, "The templates with the new fallback"),
        ...errorResponses(400, 401, 404, 409, 413, 415),
      },
    }),
    async (c) => {
      const { phoneNumberId } = c.req.valid("param");
      const accountId = c.var.session.accountId;
      await saveFallback(c.var.db, accountId, phoneNumberId, c.req.valid("json"));
      return c.json(await templatesPage(c.var.db, accountId, phoneNumberId), 200);
    },
  );
