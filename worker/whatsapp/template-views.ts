// The shapes of /api/whatsapp/numbers/{phoneNumberId}/templates…, declared once: zod validates and documents
// them, and the service's types are derived from them.
import { z } from "@hono/zod-openapi";
import { IsoDate } from "../openapi";

const Template = z
  .object({
    id: z.string().openapi({ description: "Meta's template id" }),
    name: z.string(),
    language: z.string().openapi({ example: "en_US" }),
    status: z.string().openapi({
      description:
        "As Meta reports it: APPROVED, PENDING, REJECTED, PAUSED, DISABLED… Only APPROVED is sent.",
    }),
    category: z.string().nullable(),
    body: z.string().nullable().openapi({ description: "The body as written in WhatsApp Manager, unfilled" }),
    parameters: z.array(z.string()).openapi({
      description: 'The body\'s placeholders in order ("1", "2"… or their names): one value each',
    }),
    usableAsFallback: z.boolean().openapi({
      description: "False when the header or a button needs parameters too (not supported as fallback)",
    }),
    reason: z.string().nullable().openapi({ description: "Meta's reason with the latest status change" }),
    updatedAt: IsoDate,
  })
  .openapi("WhatsAppTemplate");

const Fallback = z
  .object({
    name: z.string(),
    language: z.string(),
    parameters: z.array(z.string()),
    status: z.string().openapi({ description: "The template's status now (MISSING: gone at Meta)" }),
    active: z.boolean().openapi({ description: "True when it will be sent (the template is approved)" }),
  })
  .nullable()
  .openapi("WhatsAppFallbackTemplate");

const NumberEvent = z
  .object({
    field: z.enum(["message_template_status_update", "phone_number_quality_update", "account_alerts"]),
    event: z.string(),
    summary: z.string(),
    at: IsoDate,
  })
  .openapi("WhatsAppNumberEvent");

const ExpiredConversation = z
  .object({
    messageId: z.string().openapi({ description: "The customer's message (wamid) that expired" }),
    contact: z.string().openapi({ description: "A short label of the contact's keyed hash" }),
    receivedAt: IsoDate,
    expiredAt: IsoDate,
    reason: z.string().nullable(),
    template: z.string().nullable().openapi({ description: "The template sent instead, if one was" }),
    templateSentAt: IsoDate.nullable(),
    deliveryStatus: z
      .string()
      .nullable()
      .openapi({ description: "The template message's delivery: accepted, sent, delivered, read or failed" }),
  })
  .openapi("WhatsAppExpiredConversation");

export const TemplatesPage = z
  .object({
    templates: z.array(Template),
    fallback: Fallback,
    syncedAt: IsoDate.nullable(),
    syncError: z.string().nullable(),
    events: z.array(NumberEvent),
    expired: z.array(ExpiredConversation),
  })
  .openapi("WhatsAppTemplates");

const Parameter = z.string().trim().min(1).max(1024);

export const FallbackInput = z
  .strictObject({
    name: z.string().trim().min(1).max(512).nullable().openapi({
      description:
        "An approved template's name; null removes the fallback (expired messages then get nothing)",
    }),
    language: z.string().trim().min(2).max(20).optional().openapi({ example: "en_US" }),
    parameters: z
      .array(Parameter)
      .max(20)
      .default([])
      .openapi({
        description:
          'One value per body placeholder, in order: fixed text; `{{profile_name}}` inside a value becomes the contact\'s WhatsApp profile name ("there" when unknown).',
        example: ["{{profile_name}}", "our shop"],
      }),
  })
  .refine((v) => v.name === null || v.language !== undefined, {
    message: "language is required with a template name.",
    path: ["language"],
  })
  .openapi("WhatsAppFallbackInput");

export type TemplateView = z.infer<typeof Template>;
export type FallbackView = z.infer<typeof Fallback>;
export type NumberEventView = z.infer<typeof NumberEvent>;
export type ExpiredView = z.infer<typeof ExpiredConversation>;
