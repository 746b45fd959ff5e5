// The Hono app: middleware, then /v1 (AI API), /api (management), /webhooks, then the dashboard.

import { createRequestHandler } from "react-router";
import { loadSession } from "./accounts/middleware";
import { accountRoutes, authRoutes } from "./accounts/routes";
import { catalogueFresh } from "./ai/catalogue/overrides/cache";
import { catalogueAdminRoutes } from "./ai/catalogue/overrides/routes";
import { aiRoutes } from "./ai/routes";
import { billingRoutes } from "./billing/routes";
import { stripeWebhookRoutes } from "./billing/webhooks/routes";
import { bodyLimit } from "./body-limit";
import { getConfig } from "./config";
import { randomToken } from "./crypto/encoding";
import { AppError, notFound } from "./errors";
import { front } from "./front";
import { keyRoutes } from "./keys/routes";
import { mailboxRoutes } from "./notices/mailbox-routes";
import { healthRoutes } from "./observability/health";
import { metricsRoutes } from "./observability/metrics/routes";
import { createRouter } from "./openapi";
import { policyRoutes } from "./privacy/policy-routes";
import { promiseRoutes } from "./privacy/promises/routes";
import { receiptKeyRoutes, receiptVerifyRoutes } from "./privacy/receipts/routes";
import { adminPrivacyRoutes } from "./privacy/rights-requests/admin-routes";
import { privacyRequestRoutes } from "./privacy/rights-requests/routes";
import { providerKeyRoutes } from "./provider-keys/routes";
import { requestRoutes } from "./request-log/routes";
import { csrf } from "./security/csrf";
import { dashboardBodyLimit, noStoreByDefault, noStoreForPrivatePages } from "./security/private-responses";
import { settingsRoutes } from "./settings/routes";
import { trainingRoutes } from "./training/routes";
import { usageRoutes } from "./usage/routes";
import { whatsappRoutes } from "./whatsapp/routes";
import { whatsappTemplateRoutes } from "./whatsapp/template-routes";
import { whatsappWebhook } from "./whatsapp/webhook";

const API_BODY_LIMIT = 256 * 1024;

const tooLarge = () => {
  throw new AppError(413, "Request body is too large.", { code: "body_too_large" });
};

const api = createRouter();
api.use(
  "*",
  bodyLimit({ maxSize: API_BODY_LIMIT, onError: tooLarge }),
  // Liveness reads no session: a probe with a cookie costs no D1 call either.
  (c, next) => (c.req.path === "/api/health" ? next() : loadSession(c, next)),
);
api.route("/health", healthRoutes);
api.route("/auth", authRoutes);
api.route("/account", accountRoutes);
api.route("/keys", keyRoutes);
api.route("/provider-keys", providerKeyRoutes);
api.route("/usage", usageRoutes);
api.route("/requests", requestRoutes);
api.route("/privacy", policyRoutes);
api.route("/privacy", privacyRequestRoutes);
api.route("/privacy", receiptVerifyRoutes);
api.route("/privacy", promiseRoutes);
api.route("/admin/privacy", adminPrivacyRoutes);
api.route("/billing", billingRoutes);
api.route("/whatsapp", whatsappRoutes);
api.route("/whatsapp", whatsappTemplateRoutes);
api.route("/settings", settingsRoutes);
api.route("/admin/training-export", trainingRoutes);
api.route("/admin/metrics", metricsRoutes);
api.route("/admin/catalogue", catalogueAdminRoutes);

export const app = createRouter();
front(app);
app.use("*", csrf);
app.use("/api/*", noStoreByDefault);
app.use("/v1/*", noStoreByDefault);
// Requests for /v1 are served by the AI API's own app (ai/app.ts, chosen in index.ts); mounted here as well for
// the OpenAPI document.
app.route("/v1", aiRoutes);
app.route("/api", api);
app.route("/webhooks/stripe", stripeWebhookRoutes);
app.route("/webhooks/whatsapp", whatsappWebhook);
app.route("/dev/mailbox", mailboxRoutes);
app.route("/.well-known", receiptKeyRoutes);

app.doc31("/api/openapi.json", (c) => ({
  openapi: "3.1.0",
  info: {
    title: `${getConfig(c.env).appName} API`,
    version: "1.0.0",
    description: "OpenAI- and Anthropic-compatible AI API, and the management API behind the dashboard.",
  },
  servers: [{ url: new URL(c.req.url).origin }],
}));
app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", { type: "http", scheme: "bearer" });
app.openAPIRegistry.registerComponent("securitySchemes", "healthToken", { type: "http", scheme: "bearer" });
app.openAPIRegistry.registerComponent("securitySchemes", "session", {
  type: "apiKey",
  in: "cookie",
  name: "sid",
});

// Unknown API paths are JSON 404s, never the dashboard's HTML.
app.all("/api/*", () => {
  throw notFound("Route");
});
app.all("/v1/*", () => {
  throw notFound("Route");
});
app.all("/webhooks/*", () => {
  throw notFound("Route");
});

const dashboard = createRequestHandler(
  () => import("virtual:react-router/server-build"),
  import.meta.env.MODE,
);
app.all("*", dashboardBodyLimit, noStoreForPrivatePages, catalogueFresh, (c) =>
  dashboard(c.req.raw, {
    cloudflare: { env: c.env, ctx: c.executionCtx as ExecutionContext },
    cspNonce: randomToken(16),
    requestId: c.var.requestId,
  }),
);
