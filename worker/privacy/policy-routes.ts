// GET /api/privacy/policy: the policy's facts and text, from the configuration that enforces them.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonContent } from "../openapi";
import { policyFacts, policySections } from "./policy";

const Policy = z
  .object({
    facts: z.object({
      version: z.string(),
      contact: z.string(),
      deletionDeadlineDays: z.number(),
      retentionChoicesDays: z.array(z.number()),
      contentLoggingDefault: z.boolean(),
      trainingConsentDefault: z.boolean(),
    }),
    sections: z.array(z.object({ id: z.string(), heading: z.string(), paragraphs: z.array(z.string()) })),
  })
  .openapi("PrivacyPolicy");

export const policyRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/policy",
    tags: ["Privacy"],
    summary: "The privacy policy and its figures, as enforced by this deployment",
    responses: { 200: jsonContent(Policy, "The policy") },
  }),
  (c) => c.json({ facts: policyFacts(c.var.config), sections: policySections(c.var.config) }, 200),
);
