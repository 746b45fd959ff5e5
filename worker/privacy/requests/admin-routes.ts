// /api/admin/privacy/requests: the operators' queue (overdue first) and recording requests that came by email.
import { createRoute, z } from "@hono/zod-openapi";
import { asc, sql } from "drizzle-orm";
import { privacyRequests } from "../../../db/schema";
import { requireAdmin } from "../../accounts/middleware";
import type { Db } from "../../env";
import { createRouter, errorResponses, jsonBody, jsonContent } from "../../openapi";
import { PrivacyRequest } from "./routes";
import { recordEmailedRequest } from "./service";
import { OPEN_STATUSES, requestView } from "./view";

const QueueItem = PrivacyRequest.extend({
  note: z.string().nullable(),
  msLeft: z
    .number()
    .openapi({ description: "Time left on the 30-day clock (negative: overdue); 0 once closed." }),
  overdue: z.boolean(),
}).openapi("PrivacyQueueItem");

export async function privacyQueue(db: Db, now = new Date()) {
  // Open requests first, by due date (overdue ones are the earliest); then closed ones, newest first.
  const rows = await db
    .select()
    .from(privacyRequests)
    .orderBy(
      sql`CASE WHEN ${privacyRequests.status} IN ('received','verifying','in_progress') THEN 0 ELSE 1 END`,
      asc(privacyRequests.dueAt),
    )
    .limit(500);
  return rows.map((r) => {
    const open = (OPEN_STATUSES as readonly string[]).includes(r.status);
    const msLeft = open ? r.dueAt.getTime() - now.getTime() : 0;
    return { ...requestView(r, now), note: r.note, msLeft, overdue: open && msLeft < 0 };
  });
}

const EmailedRequest = z
  .strictObject({
    email: z.string().trim().pipe(z.email().max(254)),
    type: z.enum(["access", "deletion"]),
    channel: z.literal("email"),
    note: z.string().trim().max(2000).default(""),
  })
  .openapi("EmailedPrivacyRequest");

export const adminPrivacyRoutes = createRouter();
adminPrivacyRoutes.use("*", requireAdmin);
adminPrivacyRoutes
  .openapi(
    createRoute({
      method: "get",
      path: "/requests",
      tags: ["Admin"],
      summary: "Every privacy request with its status and time left, overdue first",
      responses: {
        200: jsonContent(z.object({ data: z.array(QueueItem) }), "The queue"),
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json({ data: await privacyQueue(c.var.db) }, 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/requests",
      tags: ["Admin"],
      summary:
        "Record a request that arrived by email; the account holder confirms by a link before anything runs",
      request: jsonBody(EmailedRequest),
      responses: { 201: jsonContent(PrivacyRequest, "Recorded"), ...errorResponses(400, 401, 403, 415) },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const view = await recordEmailedRequest(
        c.env,
        { ...input, origin: new URL(c.req.url).origin },
        { accountId: c.var.session!.accountId, email: c.var.session!.email },
      );
      return c.json(view, 201);
    },
  );
