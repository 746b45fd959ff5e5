// /api/privacy/requests (the account holder's own requests) and /api/privacy/links (single-use links from
// notices).
import { createRoute, z } from "@hono/zod-openapi";
import { privacyRequestTypes } from "../../../db/schema";
import { requireSession, SESSION_SECURITY } from "../../accounts/middleware";
import { requireSudo } from "../../accounts/sudo";
import { createRouter, errorResponses, IsoDate, jsonBody, jsonContent } from "../../openapi";
import { exportStream, exportSummaryHtml } from "../export/download";
import { OBJECTION_LENGTH } from "./objection-length";
import { liftRestriction, restrictionState } from "./restriction";
import { createRequest, listRequests, ownedRequest, useLink } from "./service";
import { PrivacyRequest, requestView } from "./view";

const NewRequest = z
  .strictObject({
    type: z.enum(privacyRequestTypes),
    password: z.string().max(256).optional().openapi({
      description: "Deletion needs your password here, unless you re-authenticated in the last 10 minutes.",
    }),
    note: z.string().trim().min(OBJECTION_LENGTH.min).max(OBJECTION_LENGTH.max).optional().openapi({
      description:
        "Objection: what you object to and why (processing based on our legitimate interests, GDPR Art. 21).",
    }),
  })
  .refine((r) => (r.type === "objection") === (r.note !== undefined), {
    message: "An objection needs its text in `note`; other requests take none.",
    path: ["note"],
  })
  .openapi("NewPrivacyRequest");

const Restriction = z
  .object({ restricted: z.boolean(), since: IsoDate.nullable() })
  .openapi("ProcessingRestriction");

const Id = z.object({ id: z.string().max(64) });
const origin = (url: string) => new URL(url).origin;

const session = createRouter();
// The paths are guarded for every method; each route's own middleware also types c.var.session for its handler.
session.use("/requests", requireSession);
session.use("/requests/*", requireSession);
session
  .openapi(
    createRoute({
      method: "post",
      path: "/requests",
      middleware: [requireSession] as const,
      security: SESSION_SECURITY,
      tags: ["Privacy"],
      summary:
        "Ask for a copy of your data (access), deletion of your account, restriction of processing until you lift it, or object (with your reasons in note)",
      request: jsonBody(NewRequest),
      responses: {
        202: jsonContent(PrivacyRequest, "Accepted; work runs in the background"),
        ...errorResponses(400, 401, 409, 415, 429),
      },
    }),
    async (c) => {
      const { type, password, note } = c.req.valid("json");
      const { accountId } = c.var.session;
      if (type === "deletion") await requireSudo(c.env, c.var.session, password, c.req.raw.headers);
      return c.json(await createRequest(c.env, accountId, type, origin(c.req.url), note), 202);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/requests",
      middleware: [requireSession] as const,
      security: SESSION_SECURITY,
      tags: ["Privacy"],
      summary: "Your privacy requests, newest first",
      responses: {
        200: jsonContent(z.object({ data: z.array(PrivacyRequest) }), "Requests"),
        ...errorResponses(401),
      },
    }),
    async (c) => c.json({ data: await listRequests(c.var.db, c.var.session.accountId) }, 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/requests/{id}",
      middleware: [requireSession] as const,
      security: SESSION_SECURITY,
      tags: ["Privacy"],
      summary: "One of your privacy requests",
      request: { params: Id },
      responses: { 200: jsonContent(PrivacyRequest, "The request"), ...errorResponses(401, 404) },
    }),
    async (c) =>
      c.json(
        requestView(await ownedRequest(c.var.db, c.var.session.accountId, c.req.valid("param").id)),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/requests/{id}/export",
      middleware: [requireSession] as const,
      security: SESSION_SECURITY,
      tags: ["Privacy"],
      summary: "Download your export (JSON) once it is ready",
      request: {
        params: Id,
        query: z.object({
          format: z.enum(["json", "html"]).default("json").openapi({
            description: "json: every record (pretty-printed, user units); html: a readable summary",
          }),
        }),
      },
      responses: {
        200: {
          description: "The export: summary, processing facts, signed manifest, then every record",
          content: {
            "application/json": { schema: z.object({}).passthrough() },
            "text/html": { schema: z.string() },
          },
        },
        ...errorResponses(400, 401, 404),
        410: jsonContent(z.object({}), "The export expired"),
      },
    }),
    async (c) => {
      const row = await ownedRequest(c.var.db, c.var.session.accountId, c.req.valid("param").id);
      if (c.req.valid("query").format === "html") {
        return new Response(exportSummaryHtml(c.env, row, origin(c.req.url)), {
          headers: {
            "content-type": "text/html; charset=utf-8",
            "content-disposition": `attachment; filename="export-${row.id}.html"`,
            "cache-control": "no-store",
          },
        }) as never;
      }
      return new Response(exportStream(c.env, row, origin(c.req.url)), {
        headers: {
          "content-type": "application/json; charset=utf-8",
          "content-disposition": `attachment; filename="export-${row.id}.json"`,
          "cache-control": "no-store",
        },
      }) as never;
    },
  );

session.use("/restriction", requireSession);
session
  .openapi(
    createRoute({
      method: "get",
      path: "/restriction",
      middleware: [requireSession] as const,
      security: SESSION_SECURITY,
      tags: ["Privacy"],
      summary: "Whether processing of your data is restricted (Art. 18), and since when",
      responses: { 200: jsonContent(Restriction, "The restriction's state"), ...errorResponses(401) },
    }),
    async (c) => c.json(await restrictionState(c.var.db, c.var.session.accountId), 200),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/restriction",
      middleware: [requireSession] as const,
      security: SESSION_SECURITY,
      tags: ["Privacy"],
      summary: "Lift the restriction of processing: the API and WhatsApp replies work again",
      responses: { 200: jsonContent(Restriction, "Lifted"), ...errorResponses(401, 409) },
    }),
    async (c) => c.json(await liftRestriction(c.env, c.var.session.accountId), 200),
  );

const Token = z.strictObject({ token: z.string().min(10).max(128) }).openapi("LinkToken");

export const privacyRequestRoutes = session.openapi(
  createRoute({
    method: "post",
    path: "/links",
    tags: ["Privacy"],
    summary:
      "Use a single-use link from a notice (verify your email, confirm a request or an email change, undo an email change, cancel a deletion)",
    request: jsonBody(Token),
    responses: {
      200: jsonContent(
        z.object({ purpose: z.string(), request: PrivacyRequest.optional(), email: z.string().optional() }),
        "Done",
      ),
      ...errorResponses(400, 409, 415),
    },
  }),
  async (c) =>
    c.json(
      await useLink(c.env, c.req.valid("json").token, origin(c.req.url), c.var.session?.sessionHash),
      200,
    ),
);
