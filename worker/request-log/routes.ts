// /api/requests: the request log (paged, filtered, CSV) and one request in detail with, on demand, its
// decrypted content when that request was logged.
import { createRoute, z } from "@hono/zod-openapi";
import { sessionRouter } from "../accounts/middleware";
import { errorResponses, jsonContent } from "../openapi";
import { usageRange } from "../usage/routes";
import { hasContent, readContent } from "./content";
import {
  getRequest,
  listRequests,
  PAGE_DEFAULT,
  PAGE_MAX,
  type RequestFilters,
  requestsCsv,
} from "./entries";
import { Content, Entry } from "./views";

const dateOrTime = z.iso.datetime({ offset: true }).or(z.iso.date());

export const RequestQuery = z.strictObject({
  from: dateOrTime
    .optional()
    .openapi({ description: "Start (inclusive), ISO 8601. Default: 30 days before `to`." }),
  to: dateOrTime.optional().openapi({ description: "End (exclusive), ISO 8601. Default: now." }),
  keyId: z.string().max(64).optional(),
  model: z.string().max(200).optional(),
  status: z
    .string()
    .regex(/^(ok|error|[1-5]\d\d)$/)
    .optional()
    .openapi({ description: "`ok` (below 400), `error` (400 and above) or one status code, e.g. `429`" }),
  streamed: z.enum(["true", "false"]).optional(),
  cursor: z.string().max(200).optional().openapi({ description: "`nextCursor` of the previous page" }),
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(PAGE_DEFAULT),
  format: z
    .enum(["json", "csv"])
    .default("json")
    .openapi({ description: "`csv`: every filtered row as CSV" }),
});

/** The validated query as filters for the log. */
export function requestFilters(q: z.infer<typeof RequestQuery>): RequestFilters {
  const range = usageRange(q.from, q.to);
  return {
    ...range,
    keyId: q.keyId || undefined,
    model: q.model || undefined,
    status: q.status === "ok" || q.status === "error" ? q.status : q.status ? Number(q.status) : undefined,
    streamed: q.streamed === undefined ? undefined : q.streamed === "true",
  };
}

export const requestRoutes = sessionRouter();
requestRoutes
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["Request log"],
      summary: "Your requests, newest first: filtered, paged by cursor, or every filtered row as CSV",
      security: [{ session: [] }],
      request: { query: RequestQuery },
      responses: {
        200: {
          description: "One page of the log (or CSV with format=csv)",
          content: {
            "application/json": {
              schema: z.object({ data: z.array(Entry), nextCursor: z.string().nullable() }),
            },
            "text/csv": { schema: z.string() },
          },
        },
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const accountId = c.var.session.accountId;
      const filters = requestFilters(q);
      // The account's object moves what its buffer holds before it reads, so the log includes the latest requests.
      if (q.format === "csv") {
        const csv = await requestsCsv(c.env, c.var.db, accountId, filters);
        return c.body(csv, 200, {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="requests-${filters.from.toISOString().slice(0, 10)}-to-${filters.to.toISOString().slice(0, 10)}.csv"`,
          "cache-control": "no-store",
        });
      }
      return c.json(
        await listRequests(c.env, c.var.db, accountId, filters, { cursor: q.cursor, limit: q.limit }),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["Request log"],
      summary: "One request: its metadata and, with include=content, its content if that request was logged",
      security: [{ session: [] }],
      request: {
        params: z.object({ id: z.string().max(64) }),
        query: z.strictObject({ include: z.enum(["content"]).optional() }),
      },
      responses: {
        200: jsonContent(
          Entry.extend({
            contentLogged: z.boolean().openapi({ description: "Whether content is stored for this request" }),
            content: Content.nullable().optional().openapi({ description: "Only with include=content" }),
          }),
          "The request",
        ),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const accountId = c.var.session.accountId;
      const { id } = c.req.valid("param");
      const entry = await getRequest(c.env, c.var.db, accountId, id);
      if (c.req.valid("query").include === "content") {
        const content = await readContent(c.env, accountId, entry);
        return c.json({ ...entry, contentLogged: content !== null, content }, 200);
      }
      return c.json({ ...entry, contentLogged: await hasContent(c.env, accountId, entry) }, 200);
    },
  );
