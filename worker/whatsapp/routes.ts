// /api/whatsapp: connect a WhatsApp Business number, read its settings and status line, disconnect.
import { createRoute, z } from "@hono/zod-openapi";
import { sessionRouter } from "../accounts/middleware";
import { requireSudo } from "../accounts/sudo";
import { errorResponses, IsoDate, jsonBody, jsonContent } from "../openapi";
import {
  deleteConnection,
  findConnection,
  getConnectionView,
  reconnects,
  saveConnection,
} from "./connection";

const Digits = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{5,30}$/, `${name} is the numeric id from Meta's WhatsApp Manager.`);
const Secret = (min: number) => z.string().trim().min(min).max(1024);
const SudoPassword = z.string().min(1).max(256).optional().openapi({
  description:
    "Your current password: needed to connect, reconnect (other number, new secrets) or disconnect, unless you re-authenticated in the last 10 minutes.",
});

export const ConnectionInput = z
  .strictObject({
    phoneNumberId: Digits("phoneNumberId"),
    wabaId: Digits("wabaId"),
    accessToken: Secret(20)
      .optional()
      .openapi({ description: "Required to connect; omit to keep the saved one." }),
    appSecret: Secret(16)
      .optional()
      .openapi({ description: "Required to connect; omit to keep the saved one." }),
    verifyToken: Secret(12).optional().openapi({
      description: "Required to connect; omit to keep the saved one. Stored only as a keyed hash.",
    }),
    model: z.string().trim().min(1).max(100).openapi({ example: "openai/gpt-4o-mini" }),
    systemPrompt: z.string().max(4000).default(""),
    nonTextMessages: z
      .enum(["reply", "skip"])
      .optional()
      .openapi({ description: "Images, audio, stickers…: a polite fixed reply, or nothing." }),
    password: SudoPassword,
  })
  .openapi("WhatsAppConnectionInput");

const Disconnect = z.strictObject({ password: SudoPassword }).openapi("WhatsAppDisconnect");

const Connection = z
  .object({
    connected: z.boolean(),
    phoneNumberId: z.string().nullable(),
    wabaId: z.string().nullable(),
    model: z.string().nullable(),
    systemPrompt: z.string().nullable(),
    nonTextMessages: z.enum(["reply", "skip"]).nullable(),
    webhookPath: z.string(),
    connectedAt: IsoDate.nullable(),
    updatedAt: IsoDate.nullable(),
    status: z.object({
      lastMessageAt: IsoDate.nullable(),
      lastReplyAt: IsoDate.nullable(),
      lastErrorAt: IsoDate.nullable(),
      lastError: z.string().nullable(),
    }),
  })
  .openapi("WhatsAppConnection");

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
