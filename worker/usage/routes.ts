// /api/usage: the account's metered usage, grouped by hour, day, model or key, over a time range.
import { createRoute, z } from "@hono/zod-openapi";
import { sessionRouter } from "../accounts/middleware";
import { badRequest } from "../errors";
import { errorResponses, jsonContent } from "../openapi";
import { DAY_MS } from "../time";
import { UsageGroupSchema, usageSummary } from "./queries";
import { flushUsage } from "./record";

/** The longest range one query may cover. */
const MAX_RANGE_DAYS = 400;

const Query = z.strictObject({
  from: z.iso
    .datetime({ offset: true })
    .or(z.iso.date())
    .optional()
    .openapi({ description: "Start (inclusive), ISO 8601. Default: 30 days before `to`." }),
  to: z.iso
    .datetime({ offset: true })
    .or(z.iso.date())
    .optional()
    .openapi({ description: "End (exclusive), ISO 8601. Default: now." }),
  groupBy: z.enum(["hour", "day", "model", "key"]).default("day").openapi({
    description:
      "Ranges up to 48 h are summed from the raw rows; longer ones from hourly (and, past the raw retention, daily) totals.",
  }),
});

/** The validated range: defaults filled in, order and span checked. */
export function usageRange(from: string | undefined, to: string | undefined, now = Date.now()) {
  const end = to ? new Date(to) : new Date(now);
  const start = from ? new Date(from) : new Date(end.getTime() - 30 * DAY_MS);
  if (start >= end) throw badRequest("`from` must be before `to`.", "from");
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw badRequest(`The range may cover at most ${MAX_RANGE_DAYS} days.`, "from");
  }
  return { from: start, to: end };
}

export const usageRoutes = sessionRouter();
usageRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["Usage"],
    summary: "Your usage: requests, tokens and cost, grouped by hour, day, model or key",
    security: [{ session: [] }],
    request: { query: Query },
    responses: {
      200: jsonContent(
        z.object({ from: z.string(), to: z.string(), groupBy: z.string(), rows: z.array(UsageGroupSchema) }),
        "Usage",
      ),
      ...errorResponses(400, 401),
    },
  }),
  async (c) => {
    const { from, to, groupBy } = c.req.valid("query");
    const range = usageRange(from, to);
    const accountId = c.var.session.accountId;
    // Rows wait briefly in the account's buffer; move them first so the answer includes the latest requests.
    await flushUsage(c.env, accountId);
    const rows = await usageSummary(c.env, c.var.db, accountId, range, groupBy);
    return c.json({ from: range.from.toISOString(), to: range.to.toISOString(), groupBy, rows }, 200);
  },
);
