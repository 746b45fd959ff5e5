// /api/admin/privacy/requests: the operators' queue (overdue first), recording requests that came by email,
// and per request: its detail (timeline, audit), denying it with a reason, re-sending its confirmation.
import { createRoute, z } from "@hono/zod-openapi";
import { asc, ne, sql } from "drizzle-orm";
import { accounts, privacyRequests, privacyRequestTypes } from "../../../db/schema";
import { adminRouter } from "../../accounts/middleware";
import type { Db } from "../../env";
import { errorResponses, jsonBody, jsonContent } from "../../openapi";
import { answerObjection } from "./objection";
import { denyRequest, requestDetail, resendConfirmation } from "./operator-actions";
import { recordEmailedRequest } from "./service";
import {
  OPEN_STATUSES,
  PrivacyRequest,
  QueueItem,
  type QueueItemView,
  RequestDetail,
  requestView,
} from "./view";

export async function privacyQueue(db: Db, now = new Date()): Promise<QueueItemView[]> {
  // Open requests first, by due date (overdue ones are the earliest); then closed ones, newest first.
  const rows = await db
    .select()
    .from(privacyRequests)
    .orderBy(
      sql`CASE WHEN ${privacyRequests.status} IN ('received','verifying','in_progress') THEN 0 ELSE 1 END`,
      asc(privacyRequests.dueAt),
    )
    .limit(500);
  const live = new Set(
    (await db.select({ id: accounts.id }).from(accounts).where(ne(accounts.status, "deleting"))).map(
      (a) => a.id,
    ),
  );
  return rows.map((r) => {
    const open = (OPEN_STATUSES as readonly string[]).includes(r.status);
    const msLeft = open ? r.dueAt.getTime() - now.getTime() : 0;
    const view = requestView(r, now);
    // An export is gone once its account is: its files were erased with the account.
    const gone = r.type === "access" && r.status === "completed" && !(r.accountId && live.has(r.accountId));
    return {
      ...view,
      ...(gone ? { exportReady: false, progress: "export deleted with the account" } : {}),
      note: r.note,
      msLeft,
      overdue: open && msLeft < 0,
    };
  });
}

const Id = z.object({ id: z.string().max(64) });
const DenyBody = z.strictObject({ reason: z.string().trim().min(3).max(500) }).openapi("DenyPrivacyRequest");
const AnswerBody = z
  .strictObject({ upheld: z.boolean(), answer: z.string().trim().min(3).max(2000) })
  .openapi("ObjectionAnswer");
const EmailedRequest = z
  .strictObject({
    email: z.string().trim().pipe(z.email().max(254)),
    type: z.enum(privacyRequestTypes),
    channel: z.literal("email"),
    note: z.string().trim().max(2000).default(""),
  })
  .openapi("EmailedPrivacyRequest");

export const adminPrivacyRoutes = adminRouter();
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
        { accountId: c.var.session.accountId, email: c.var.session.email },
      );
      return c.json(view, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/requests/{id}",
      tags: ["Admin"],
      summary: "One request: its timeline, privacy trail and which actions apply",
      request: { params: Id },
      responses: { 200: jsonContent(RequestDetail, "The request"), ...errorResponses(401, 403, 404) },
    }),
    async (c) => c.json(await requestDetail(c.env, c.req.valid("param").id), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/requests/{id}/deny",
      tags: ["Admin"],
      summary: "Deny a request that has not started, with the reason the requester is given",
      request: { params: Id, ...jsonBody(DenyBody) },
      responses: {
        200: jsonContent(PrivacyRequest, "Denied"),
        ...errorResponses(400, 401, 403, 404, 409, 415),
      },
    }),
    async (c) => {
      const s = c.var.session;
      const view = await denyRequest(c.env, c.req.valid("param").id, c.req.valid("json").reason, {
        accountId: s.accountId,
        email: s.email,
      });
      return c.json(view, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/requests/{id}/resend",
      tags: ["Admin"],
      summary: "Send the account holder a fresh confirmation link for an emailed request",
      request: { params: Id },
      responses: { 200: jsonContent(PrivacyRequest, "Sent"), ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const s = c.var.session;
      const view = await resendConfirmation(c.env, c.req.valid("param").id, new URL(c.req.url).origin, {
        accountId: s.accountId,
        email: s.email,
      });
      return c.json(view, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/requests/{id}/answer",
      tags: ["Admin"],
      summary:
        "Answer an objection: upheld (the processing stops) or not, with the reasons the requester is mailed",
      request: { params: Id, ...jsonBody(AnswerBody) },
      responses: {
        200: jsonContent(PrivacyRequest, "Answered"),
        ...errorResponses(400, 401, 403, 404, 409, 415),
      },
    }),
    async (c) => {
      const s = c.var.session;
      const view = await answerObjection(c.env, c.req.valid("param").id, c.req.valid("json"), {
        accountId: s.accountId,
        email: s.email,
      });
      return c.json(view, 200);
    },
  );
