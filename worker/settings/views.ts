// The privacy settings' shapes, declared once: the zod schemas validate and document /api/settings/privacy,
// and the types the settings store and service take and return are derived from them.
import { z } from "@hono/zod-openapi";
import { consentChannels, consentSettings, dataPolicies } from "../../db/schema";
import { policy } from "../config";
import { IsoDate } from "../openapi";

// The document names every choice itself: the generator reads only the first value of a multi-value literal.
const RetentionDays = z.literal(policy.retentionChoicesDays).openapi({
  description: "Days logged content is kept",
  example: 30,
  type: "integer",
  enum: [...policy.retentionChoicesDays],
});

const DataPolicyChoice = z.enum(dataPolicies).openapi({
  description:
    "Which providers may receive your requests, by the data policy each publishes: any; no_training (providers that do not train on API data); zero_retention (providers that keep nothing); eu_only (processing in the EU only). Each key may narrow it further.",
});

export const Settings = z
  .object({
    contentLogging: z.boolean(),
    retentionDays: RetentionDays,
    trainingConsent: z.boolean(),
    notices: z.boolean(),
    dataPolicy: DataPolicyChoice,
    policyVersion: z.string(),
    retentionChoicesDays: z.array(z.number().int()),
    updatedAt: IsoDate.nullable(),
  })
  .openapi("PrivacySettings");

export const SettingsPatch = z
  .strictObject({
    contentLogging: z.boolean().optional(),
    retentionDays: RetentionDays.optional(),
    trainingConsent: z.boolean().optional(),
    notices: z.boolean().optional(),
    dataPolicy: DataPolicyChoice.optional(),
  })
  .openapi("PrivacySettingsPatch");

export const ConsentEvent = z
  .object({
    setting: z.enum(consentSettings),
    oldValue: z.boolean(),
    newValue: z.boolean(),
    policyVersion: z.string(),
    wordingHash: z.string().nullable().openapi({
      description: "SHA-256 (hex) of the wording agreed to; null for events recorded before it was kept",
    }),
    wording: z.string().nullable().openapi({ description: "The wording agreed to, as shown then" }),
    channel: z.enum(consentChannels),
    at: IsoDate,
  })
  .openapi("ConsentEvent");

/** Any subset of the switches; what is absent stays as it is. */
export type PrivacySettingsPatch = z.infer<typeof SettingsPatch>;
/** The switches as stored (the policy's defaults when never set), and when they last changed. */
export type PrivacySettings = Required<PrivacySettingsPatch> & { updatedAt: Date | null };
export type PrivacySettingsView = z.infer<typeof Settings>;
export type ConsentEventView = z.infer<typeof ConsentEvent>;
