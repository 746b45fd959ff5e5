// /api/whatsapp: connect WhatsApp Business numbers, read their settings and status lines, disconnect. The
// single-number routes (/api/whatsapp) mean the account's first number; /api/whatsapp/numbers/{id} any of them.
import { createRoute, z } from "@hono/zod-openapi";
import { sessionRouter } from "../accounts/middleware";
import { requireSudo } from "../accounts/sudo";
import { notFound } from "../errors";
import { errorResponses, jsonBody, jsonContent } from "../openapi";
import {
  deleteConnection,
  findConnection,
  getConnectionView,
  listConnectionViews,
  reconnects,
  saveConnection,
} from "./connection";
import { contactDataRoutes } from "./contact-data/routes";
import { Connection, ConnectionInput, NumberInput, NumberList, NumberParam, SudoPassword } from "./views";

const Disconnect = z.strictObject({ password: SudoPassword }).openapi("WhatsAppDisconnect");
const disconnectBody = {
  body: {
    required: false,
    description: "The password, unless you re-authenticated in the last 10 minutes",
    content: { "application/json": { schema: Disconnect } },
  },
};

export const whatsappRoutes = sessionRouter();
whatsappRoutes.route("/contacts", contactDataRoutes);
whatsappRoutes
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["WhatsApp"],
      summary: "The first connected number's settings and status (never its secrets)",
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
        "Connect a WhatsApp Business number (Meta must confirm the token controls it), or update the first number's settings",
      security: [{ session: [] }],
      request: jsonBody(ConnectionInput),
      responses: {
        200: jsonContent(Connection, "The saved connection"),
        ...errorResponses(400, 401, 409, 413, 415, 429),
      },
    }),
    async (c) => {
      const { password, ...input } = c.req.valid("json");
      const session = c.var.session;
      const first = await findConnection(c.var.db, session.accountId);
      if (reconnects(first, input)) await requireSudo(c.env, session, password, c.req.raw.headers);
      const view = await saveConnection(
        c.env,
        c.var.db,
        c.var.config,
        session.accountId,
        input,
        first?.phoneNumberId,
      );
      return c.json(view, 200, { "Cache-Control": "no-store" });
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/",
      tags: ["WhatsApp"],
      summary:
        "Disconnect the first number: its secrets, unanswered messages and conversation context are deleted",
      security: [{ session: [] }],
      request: disconnectBody,
      responses: { 204: { description: "Disconnected" }, ...errorResponses(400, 401, 404, 429) },
    }),
    async (c) => {
      const { password } = (c.req.valid("json") as z.infer<typeof Disconnect> | undefined) ?? {};
      await requireSudo(c.env, c.var.session, password, c.req.raw.headers);
      const first = await findConnection(c.var.db, c.var.session.accountId);
      if (!first) throw notFound("WhatsApp connection");
      await deleteConnection(c.var.db, c.var.session.accountId, first.phoneNumberId);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/numbers",
      tags: ["WhatsApp"],
      summary: "Every connected number, oldest first, with its settings and status (never its secrets)",
      security: [{ session: [] }],
      responses: { 200: jsonContent(NumberList, "The numbers"), ...errorResponses(401) },
    }),
    async (c) => c.json({ numbers: await listConnectionViews(c.var.db, c.var.session.accountId) }, 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/numbers/{phoneNumberId}",
      tags: ["WhatsApp"],
      summary: "One connected number's settings and status",
      security: [{ session: [] }],
      request: { params: NumberParam },
      responses: { 200: jsonContent(Connection, "The number"), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const { phoneNumberId } = c.req.valid("param");
      const view = await getConnectionView(c.var.db, c.var.session.accountId, phoneNumberId);
      if (!view.connected) throw notFound("WhatsApp number");
      return c.json(view, 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/numbers/{phoneNumberId}",
      tags: ["WhatsApp"],
      summary: "Connect another number (Meta must confirm the token controls it), or update this number",
      security: [{ session: [] }],
      request: { params: NumberParam, ...jsonBody(NumberInput) },
      responses: {
        200: jsonContent(Connection, "The saved number"),
        ...errorResponses(400, 401, 404, 409, 413, 415, 429),
      },
    }),
    async (c) => {
      const { phoneNumberId } = c.req.valid("param");
      const { password, ...rest } = c.req.valid("json");
      const input = { ...rest, phoneNumberId };
      const session = c.var.session;
      const existing = await findConnection(c.var.db, session.accountId, phoneNumberId);
      if (reconnects(existing, input)) await requireSudo(c.env, session, password, c.req.raw.headers);
      const view = await saveConnection(
        c.env,
        c.var.db,
        c.var.config,
        session.accountId,
        input,
        phoneNumberId,
      );
      return c.json(view, 200, { "Cache-Control": "no-store" });
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/numbers/{phoneNumberId}",
      tags: ["WhatsApp"],
      summary:
        "Disconnect this number: its secrets, unanswered messages and conversation context are deleted",
      security: [{ session: [] }],
      request: { params: NumberParam, ...disconnectBody },
      responses: { 204: { description: "Disconnected" }, ...errorResponses(400, 401, 404, 429) },
    }),
    async (c) => {
      const { phoneNumberId } = c.req.valid("param");
      const { password } = (c.req.valid("json") as z.infer<typeof Disconnect> | undefined) ?? {};
      await requireSudo(c.env, c.var.session, password, c.req.raw.headers);
      await deleteConnection(c.var.db, c.var.session.accountId, phoneNumberId);
      return c.body(null, 204);
    },
  );
