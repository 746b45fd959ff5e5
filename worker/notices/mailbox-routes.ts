// /dev/mailbox: the local transport's inbox, for development and e2e tests; a 404 unless in local mode.
import { createRoute, z } from "@hono/zod-openapi";
import { desc } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { html } from "hono/html";
import { notices } from "../../db/schema";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { createRouter } from "../openapi";

const SHOWN = 200;

const onlyLocal: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.var.config.localMode) throw notFound("Route");
  await next();
};

const Message = z.object({
  id: z.string(),
  to: z.string(),
  kind: z.string(),
  subject: z.string(),
  text: z.string(),
  createdAt: z.string(),
});

/** A notice's text with its links clickable (each part escaped by the template). */
const linked = (text: string) =>
  text
    .split(/(https?:\/\/[^\s<>"']+)/)
    .map((part, i) => (i % 2 === 1 ? html`<a href="${part}">${part}</a>` : part));

export const mailboxRoutes = createRouter();
mailboxRoutes.use("*", onlyLocal);
mailboxRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    hide: true,
    request: {
      query: z.object({
        to: z.string().max(254).optional(),
        format: z.enum(["html", "json"]).default("html"),
      }),
    },
    responses: {
      200: {
        description: "The newest local notices",
        content: {
          "application/json": { schema: z.object({ data: z.array(Message) }) },
          "text/html": { schema: z.string() },
        },
      },
    },
  }),
  async (c) => {
    const { to, format } = c.req.valid("query");
    const rows = await c.var.db.select().from(notices).orderBy(desc(notices.createdAt)).limit(SHOWN);
    const data = rows
      .filter((r) => !to || r.to === to.trim().toLowerCase())
      .map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
    if (format === "json") return c.json({ data }, 200);
    return c.html(
      html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dev mailbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px system-ui;margin:2rem auto;max-width:52rem;padding:0 1rem}article{border:1px solid #ccc;border-radius:8px;padding:1rem;margin:1rem 0}pre{white-space:pre-wrap;overflow-wrap:anywhere}small{color:#595959}a{color:#3730a3}</style>
</head><body><main><h1>Dev mailbox</h1><p><small>Notices sent in local mode (no mail provider key set). Newest first.</small></p>
${data.map(
  (m) =>
    html`<article data-kind="${m.kind}"><h2>${m.subject}</h2><small>to ${m.to} · ${m.kind} · ${m.createdAt}</small><pre>${linked(m.text)}</pre></article>`,
)}
${data.length === 0 ? html`<p>No messages.</p>` : ""}</main></body></html>`,
      200,
    );
  },
);
