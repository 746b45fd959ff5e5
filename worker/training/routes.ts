// GET /api/admin/training-export: operators only, streamed NDJSON of consented, non-WhatsApp content.
import { z } from "@hono/zod-openapi";
import { adminRouter } from "../accounts/middleware";
import { errorResponses } from "../openapi";
import { recordOperatorAction } from "../operators/audit";
import { trainingExportStream } from "./export";

export const trainingRoutes = adminRouter();

// Documented through the registry and served by a plain handler: the typed openapi() handler only
// accepts JSON bodies, and this one is a stream. It takes no input, so there is nothing to validate.
trainingRoutes.openAPIRegistry.registerPath({
  method: "get",
  path: "/",
  tags: ["Admin"],
  summary: "Logged content of accounts that consented to training when it was logged (NDJSON)",
  security: [{ session: [] }],
  responses: {
    200: {
      description:
        "One JSON object per line: requestId, source, model, createdAt, request, response. No account identity.",
      content: { "application/x-ndjson": { schema: z.string() } },
    },
    ...errorResponses(401, 403),
  },
});
trainingRoutes.get("/", async (c) => {
  const { accountId, email } = c.var.session;
  await recordOperatorAction(c.var.db, { accountId, email }, { action: "training.export" });
  return c.body(trainingExportStream(c.env, c.var.db), 200, {
    "content-type": "application/x-ndjson; charset=utf-8",
    "cache-control": "no-store",
  });
});
