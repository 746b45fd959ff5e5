// /api/settings/privacy: content logging, retention, training consent and notices, and the history
// of every consent change. PUT takes any subset; anything invalid is refused and changes nothing.
import { createRoute, z } from "@hono/zod-openapi";
import { sessionRouter } from "../accounts/middleware";
import { policy } from "../config";
import { errorResponses, IsoDate, jsonBody, jsonContent } from "../openapi";
import { changePrivacySettings } from "./service";
import { consentHistory, type PrivacySettings, readPrivacySettings } from "./store";

const RetentionDays = z
  .literal(policy.retentionChoicesDays)
  .openapi({ description: "Days logged content is kept", example: 30 });

const Settings = z
  .object({
    contentLogging: z.boolean(),
    retentionDays: RetentionDays,
    trainingConsent: z.boolean(),
    notices: z.boolean(),
    policyVersion: z.string(),
    retentionChoicesDays: z.array(z.number().int()),
    updatedAt: IsoDate.nullable(),
  })
  .openapi("PrivacySettings");

const SettingsPatch = z
  .strictObject({
    contentLogging: z.boolean().optional(),
    retentionDays: RetentionDays.optional(),
    trainingConsent: z.boolean().optional(),
    notices: z.boolean().optional(),
  })
  .openapi("PrivacySettingsPatch");

const ConsentEvent = z
  .object({
    setting: z.enum(["trainingConsent", "contentLogging", "notices"]),
    oldValue: z.boolean(),
    newValue: z.boolean(),
    policyVersion: z.string(),
    channel: z.enum(["api", "dashboard"]),
    at: IsoDate,
  })
  .openapi("ConsentEvent");

function present(s: PrivacySettings) {
  return {
    contentLogging: s.contentLogging,
    retentionDays: s.retentionDays,
    trainingConsent: s.trainingConsent,
    notices: s.notices,
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
        ...errorResponses(400, 401, 409, 413, 415),
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
      const data = events.map((e) => ({
        ...e,
        setting: e.setting as "trainingConsent" | "contentLogging" | "notices",
        channel: e.channel as "api" | "dashboard",
        at: e.at.toISOString(),
      }));
      return c.json({ data }, 200);
    },
  );
