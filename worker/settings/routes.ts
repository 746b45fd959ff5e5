// /api/settings/privacy: content logging, retention, training consent and notices, and the history
// of every consent change. PUT takes any subset; anything invalid is refused and changes nothing.
import { createRoute, z } from "@hono/zod-openapi";
import { sessionRouter } from "../accounts/middleware";
import { policy } from "../config";
import { errorResponses, jsonBody, jsonContent } from "../openapi";
import { changePrivacySettings } from "./service";
import { consentHistory, readPrivacySettings } from "./store";
import {
  ConsentEvent,
  type ConsentEventView,
  type PrivacySettings,
  type PrivacySettingsView,
  Settings,
  SettingsPatch,
} from "./views";

function present(s: PrivacySettings): PrivacySettingsView {
  return {
    contentLogging: s.contentLogging,
    retentionDays: s.retentionDays,
    trainingConsent: s.trainingConsent,
    notices: s.notices,
    dataPolicy: s.dataPolicy,
    policyVersion: policy.version,
    retentionChoicesDays: [...policy.retentionChoicesDays],
    updatedAt: s.updatedAt?.toISOString() ?? null,
  };
}

export const settingsRoutes = sessionRouter();
settingsRoutes
  .openapi(
    createRoute({
      method: "get",
      path: "/privacy",
      tags: ["Settings"],
      summary: "Your privacy settings",
      security: [{ session: [] }],
      responses: {
        200: jsonContent(Settings, "The settings (defaults if never changed)"),
        ...errorResponses(401),
      },
    }),
    async (c) => c.json(present(await readPrivacySettings(c.var.db, c.var.session.accountId)), 200),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/privacy",
      tags: ["Settings"],
      summary: "Change any subset of your privacy settings",
      security: [{ session: [] }],
      request: jsonBody(SettingsPatch),
      responses: {
        200: jsonContent(Settings, "The settings after the change"),
        ...errorResponses(400, 401, 403, 409, 413, 415),
      },
    }),
    async (c) => {
      const patch = c.req.valid("json");
      const settings = await changePrivacySettings(c.var.db, c.env, c.var.session.accountId, patch, "api");
      return c.json(present(settings), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/privacy/history",
      tags: ["Settings"],
      summary: "Every change to your consent switches, newest first",
      security: [{ session: [] }],
      responses: {
        200: jsonContent(z.object({ data: z.array(ConsentEvent) }), "The history"),
        ...errorResponses(401),
      },
    }),
    async (c) => {
      const events = await consentHistory(c.var.db, c.var.session.accountId);
      const data: ConsentEventView[] = events.map((e) => ({ ...e, at: e.at.toISOString() }));
      return c.json({ data }, 200);
    },
  );
