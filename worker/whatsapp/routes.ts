// /api/whatsapp: connect a WhatsApp Business number, read its settings and status line, disconnect.
import { createRoute, z } from "@hono/zod-openapi";
import { sessionRouter } from "../accounts/middleware";
import { requireSudo } from "../accounts/sudo";
import { errorResponses, jsonBody, jsonContent } from "../openapi";
import {
  deleteConnection,
  findConnection,
  getConnectionView,
  reconnects,
  saveConnection,
} from "./connection";
import { Connection, ConnectionInput, SudoPassword } from "./views";

/** The dashboard's form validates with the same schema. */

const Disconnect = z.strictObject({ password: SudoPassword }).openapi("WhatsAppDisconnect");

export const whatsappRoutes = sessionRouter();
whatsappRoutes
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["WhatsApp"],
      summary: "The connected number's settings and status (never its secrets)",
      security: [{ session: [] }],
      responses: { 200: jsonContent(Connection, "The connection"), ...errorResponses(401) },
    }),
    async (c) => c.json(await getConnectionView(c.var.db, c.var.session.accountId), 200),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/",
      tags: ["WhatsApp"],
      summary:
        "Connect a WhatsApp Business number (Meta must confirm the token controls it), or update its settings",
      security: [{ session: [] }],
      request: jsonBody(ConnectionInput),
      responses: {
        200: jsonContent(Connection, "The saved connection"),
        ...errorResponses(400, 401, 413, 415, 429),
      },
    }),
    async (c) => {
      const { password, ...input } = c.req.valid("json");
      const session = c.var.session;
      if (reconnects(await findConnection(c.var.db, session.accountId), input))
        await requireSudo(c.env, session, password, c.req.raw.headers);
      const view = await saveConnection(c.env, c.var.db, c.var.config, session.accountId, input);
      return c.json(view, 200, { "Cache-Control": "no-store" });
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/",
      tags: ["WhatsApp"],
      summary: "Disconnect: secrets, unanswered messages and conversation context are deleted",
      security: [{ session: [] }],
      request: {
        body: {
          required: false,
          description: "The password, unless you re-authenticated in the last 10 minutes",
          content: { "application/json": { schema: Disconnect } },
        },
      },
      responses: { 204: { description: "Disconnected" }, ...errorResponses(400, 401, 404, 429) },
    }),
    async (c) => {
      const { password } = (c.req.valid("json") as z.infer<typeof Disconnect> | undefined) ?? {};
      await requireSudo(c.env, c.var.session, password, c.req.raw.headers);
      await deleteConnection(c.var.db, c.var.session.accountId);
      return c.body(null, 204);
    },
  );
