// /v1: the AI API (OpenAI- and Anthropic-compatible), authenticated by API key.
import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../errors";
import { requireApiKey } from "../keys/middleware";
import { createRouter, errorResponses, jsonContent } from "../openapi";

const AI_BODY_LIMIT = 20 * 1024 * 1024;

const Model = z
  .object({ id: z.string(), object: z.literal("model"), created: z.number(), owned_by: z.string() })
  .openapi("Model");

export const aiRoutes = createRouter();
aiRoutes.use(
  "*",
  bodyLimit({
    maxSize: AI_BODY_LIMIT,
    onError: () => {
      throw new AppError(413, "Request body is too large.", { code: "body_too_large" });
    },
  }),
  requireApiKey,
);
aiRoutes.openapi(
  createRoute({
    method: "get",
    path: "/models",
    tags: ["AI"],
    summary: "List the models you can call",
    security: [{ apiKey: [] }],
    responses: {
      200: jsonContent(z.object({ object: z.literal("list"), data: z.array(Model) }), "Models"),
      ...errorResponses(401),
    },
  }),
  (c) =>
    c.json(
      {
        object: "list" as const,
        data: [
          {
            id: "dev/echo",
            object: "model" as const,
            created: 0,
            owned_by: "dev (local development provider)",
          },
        ],
      },
      200,
    ),
);
