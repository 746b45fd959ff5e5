// The shape of GET /api/admin/metrics, declared once: it validates, documents (OpenAPI) and types the report.
import { z } from "@hono/zod-openapi";

const Percentiles = z.object({ p50: z.number(), p95: z.number() }).openapi("Percentiles");

export const HourMetricsSchema = z
  .object({
    hour: z.string().openapi({ description: "Start of the hour (ISO 8601, UTC)" }),
    requests: z.number(),
    requestsPerSecond: z.number(),
    errors: z.number().openapi({ description: "Requests answered 400 or above" }),
    errorRate: z.number(),
    errorsByCode: z.array(z.object({ code: z.string(), count: z.number() })),
    errorsByProvider: z.array(z.object({ provider: z.string(), count: z.number() })),
    latencyMs: Percentiles,
    firstByteMs: Percentiles,
    meteringLagMs: Percentiles.openapi({
      description: "Of the metered requests: the response's end → its row in the account's object",
    }),
    deadLetters: z.object({ batches: z.number(), rows: z.number() }),
  })
  .openapi("HourMetrics");

export const MetricsReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.literal("hour"),
    source: z.enum(["analytics_engine", "local", "unconfigured"]).openapi({
      description:
        "analytics_engine: the SQL API; local: the local stand-in (local mode); unconfigured: no ANALYTICS_ACCOUNT_ID/ANALYTICS_API_TOKEN",
    }),
    hours: z.array(HourMetricsSchema),
  })
  .openapi("MetricsReport");

export type HourMetrics = z.infer<typeof HourMetricsSchema>;
export type MetricsReport = z.infer<typeof MetricsReportSchema>;
export type MetricsSource = MetricsReport["source"];
