// The WhatsApp connection's shapes, declared once: the zod schemas validate and document /api/whatsapp (and
// the dashboard's form), and the types the connection service takes and returns are derived from them.
import { z } from "@hono/zod-openapi";
import { IsoDate } from "../openapi";

const Digits = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{5,30}$/, `${name} is the numeric id from Meta's WhatsApp Manager.`);
const Secret = (min: number) => z.string().trim().min(min).max(1024);
const KeywordList = (what: string, example: string[]) =>
  z
    .array(z.string().trim().min(1).max(40))
    .max(20)
    .nullable()
    .optional()
    .openapi({
      description: `Whole messages that ${what} (compared without case, accents or punctuation). Omit to keep the saved list (at first: the defaults); null for the defaults; [] for none.`,
      example,
    });
export const SudoPassword = z.string().min(1).max(256).optional().openapi({
  description:
    "Your current password: needed to connect, reconnect (other number, new secrets) or disconnect, unless you re-authenticated in the last 10 minutes.",
});

export const ConnectionInput = z
  .strictObject({
    phoneNumberId: Digits("phoneNumberId"),
    wabaId: Digits("wabaId"),
    accessToken: Secret(20)
      .optional()
      .openapi({ description: "Required to connect; omit to keep the saved one." }),
    appSecret: Secret(16)
      .optional()
      .openapi({ description: "Required to connect; omit to keep the saved one." }),
    verifyToken: Secret(12).optional().openapi({
      description: "Required to connect; omit to keep the saved one. Stored only as a keyed hash.",
    }),
    model: z.string().trim().min(1).max(100).openapi({ example: "openai/gpt-4o-mini" }),
    systemPrompt: z.string().max(4000).default(""),
    nonTextMessages: z.enum(["reply", "skip"]).optional().openapi({
      description:
        "Messages with nothing to read (a sticker, an unsupported type): a polite fixed reply, or nothing.",
    }),
    stopKeywords: KeywordList("opt a contact out", ["STOP", "STOPP", "ARRET"]),
    startKeywords: KeywordList("opt a contact back in", ["START", "UNSTOP"]),
    handOffKeywords: KeywordList("pause the AI and call a person", ["HUMAN", "AGENT"]),
    handOffWebhookUrl: z
      .union([z.literal(""), z.url().max(2000)])
      .optional()
      .openapi({
        description:
          'Also POST each hand-off here (https), signed: X-Webhook-Signature: sha256=<hex HMAC-SHA256 of `<X-Webhook-Timestamp>.<raw body>`>. A new URL gets a new secret, shown once in this answer. "" removes it; omit to keep.',
      }),
    password: SudoPassword,
  })
  .openapi("WhatsAppConnectionInput");

/** Per-number routes take the number from the path. */
export const NumberInput = ConnectionInput.omit({ phoneNumberId: true }).openapi("WhatsAppNumberInput");

export const NumberParam = z.object({
  phoneNumberId: Digits("phoneNumberId").openapi({ param: { name: "phoneNumberId", in: "path" } }),
});

export const Connection = z
  .object({
    connected: z.boolean(),
    phoneNumberId: z.string().nullable(),
    wabaId: z.string().nullable(),
    model: z.string().nullable(),
    systemPrompt: z.string().nullable(),
    nonTextMessages: z.enum(["reply", "skip"]).nullable(),
    webhookPath: z.string(),
    connectedAt: IsoDate.nullable(),
    updatedAt: IsoDate.nullable(),
    optOut: z.object({ stopKeywords: z.array(z.string()), startKeywords: z.array(z.string()) }).nullable(),
    handOff: z
      .object({
        keywords: z.array(z.string()),
        webhookUrl: z.string().nullable(),
        webhookSecret: z.string().optional().openapi({
          description:
            "The webhook's signing secret: only in the answer that set a new webhook URL, never again.",
        }),
      })
      .nullable(),
    status: z.object({
      lastMessageAt: IsoDate.nullable(),
      lastReplyAt: IsoDate.nullable(),
      lastErrorAt: IsoDate.nullable(),
      lastError: z.string().nullable(),
    }),
  })
  .openapi("WhatsAppConnection");

export const NumberList = z.object({ numbers: z.array(Connection) }).openapi("WhatsAppNumbers");

/** What saving a connection takes: the validated input without the sudo password (checked before). */
export type ConnectionSettings = Omit<z.infer<typeof ConnectionInput>, "password">;
export type ConnectionView = z.infer<typeof Connection>;
