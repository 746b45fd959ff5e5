// GET /api/privacy/promises: each policy promise with its mechanism, config, status and the evidence of
// the last promise check. Public: counts and configuration only, never customer data.
import { createRoute } from "@hono/zod-openapi";
import { createRouter, jsonContent } from "../../openapi";
import { promiseReport } from "./report";
import { Report } from "./views";

export const promiseRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/promises",
    tags: ["Privacy"],
    summary:
      "The live promise report: every policy promise, how it is kept, and the last promise check's result",
    responses: { 200: jsonContent(Report, "The report") },
  }),
  async (c) => {
    c.header("cache-control", "public, max-age=60");
    return c.json(await promiseReport(c.env), 200);
  },
);
