// GET /api/privacy/promises: each policy promise with its mechanism, config, status and the evidence of
// the last self-audit. Public: counts and configuration only, never customer data.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, IsoDate, jsonContent } from "../../openapi";
import { promiseReport } from "./report";

const Status = z.enum(["kept", "at_risk", "broken"]);

const Report = z
  .object({
    status: Status.openapi({ description: "The worst status of any promise" }),
    generatedAt: IsoDate,
    promises: z.array(
      z.object({
        id: z.string().openapi({ example: "P5" }),
        promise: z.string(),
        mechanism: z.string().openapi({ description: "How the system keeps it, in one sentence" }),
        config: z
          .record(z.string(), z.unknown())
          .openapi({ description: "The configuration values it depends on" }),
        status: Status,
        lastRunAt: IsoDate.nullable().openapi({
          description: "When the least recent of its checks last ran",
        }),
        checks: z.array(
          z.object({
            id: z.string().openapi({ example: "p5.content_age" }),
            status: Status,
            summary: z.string(),
            facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
            ranAt: IsoDate.nullable(),
            changedAt: IsoDate.nullable(),
          }),
        ),
      }),
    ),
  })
  .openapi("PromiseReport");

export const promiseRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/promises",
    tags: ["Privacy"],
    summary:
      "The live promise report: every policy promise, how it is kept, and the last self-audit's result",
    responses: { 200: jsonContent(Report, "The report") },
  }),
  async (c) => {
    c.header("cache-control", "public, max-age=60");
    return c.json(await promiseReport(c.env), 200);
  },
);
