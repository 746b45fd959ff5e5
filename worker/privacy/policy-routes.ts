// GET /api/privacy/policy: the policy's facts and text, from the configuration that enforces them.
import { createRoute } from "@hono/zod-openapi";
import { createRouter, jsonContent } from "../openapi";
import { PrivacyPolicy, policyFacts, policySections } from "./policy";

export const policyRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/policy",
    tags: ["Privacy"],
    summary: "The privacy policy and its figures, as enforced by this deployment",
    responses: { 200: jsonContent(PrivacyPolicy, "The policy") },
  }),
  (c) => c.json({ facts: policyFacts(c.var.config), sections: policySections(c.var.config) }, 200),
);
