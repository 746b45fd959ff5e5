// GET /api/admin/metrics?from=&to=&groupBy=hour — operators only: the metrics per hour (query.ts).
import { createRoute, z } from "@hono/zod-openapi";
import { adminRouter } from "../../accounts/middleware";
import { badRequest } from "../../errors";
import { errorResponses, jsonContent } from "../../openapi";
import { DAY_MS, HOUR_MS } from "../../time";
import { metricsByHour } from "./query";
import { MetricsReportSchema } from "./views";

/** The longest range one report covers (168 hours). */
const MAX_RANGE_MS = 7 * DAY_MS;

export const MetricsQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: "Default: 24 hours before `to`" }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: "Default: now" }),
  groupBy: z.enum(["hour"]).default("hour"),
});

/** [from, to) in epoch ms from the query's optional ISO times: the last 24 hours by default, at most 7 days. */
export function metricsRange(query: { from?: string; to?: string }, now = Date.now()) {
  const to = query.to ? Date.parse(query.to) : now;
  const from = query.from ? Date.parse(query.from) : to - 24 * HOUR_MS;
  if (!(from < to)) throw badRequest("`from` must be before `to`.", "from", "invalid_range");
  if (to - from > MAX_RANGE_MS) throw badRequest("A report covers at most 7 days.", "from", "range_too_long");
  return { from, to };
}

export const metricsRoutes = adminRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["Admin"],
    summary:
      "Request rate, errors by code and provider, p50/p95 latency and first byte, metering lag and dead-lettered usage batches, per hour",
    request: { query: MetricsQuery },
    responses: {
      200: jsonContent(MetricsReportSchema, "The report, one entry per hour of the range"),
      ...errorResponses(400, 401, 403, 502),
    },
  }),
  async (c) => {
    const { from, to } = metricsRange(c.req.valid("query"));
    c.header("cache-control", "no-store");
    return c.json(await metricsByHour(c.env, from, to), 200);
  },
);
