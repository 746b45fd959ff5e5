// The Contact data API's shapes, declared once: the zod schemas validate and document /api/whatsapp/contacts.
import { z } from "@hono/zod-openapi";
import { IsoDate } from "../../openapi";
import { Entry } from "../../request-log/views";
import { SudoPassword } from "../views";
import { ContactNumber } from "./number";

export const ContactInput = z.strictObject({ number: ContactNumber }).openapi("WhatsAppContactInput");

export const ContactEraseInput = z
  .strictObject({
    number: ContactNumber,
    password: SudoPassword.openapi({
      description: "Your current password, unless you re-authenticated in the last 10 minutes.",
    }),
  })
  .openapi("WhatsAppContactEraseInput");

const Rows = z.array(z.record(z.string(), z.unknown()));

export const ContactData = z
  .object({
    label: z
      .string()
      .openapi({ description: "The conversation label the dashboard shows (start of the keyed hash)" }),
    contentLogging: z.boolean().openapi({
      description: "Whether content logging is on: only then are message texts (context, pending) decrypted",
    }),
    stores: z.array(
      z.object({
        holder: z.string(),
        label: z.string(),
        records: z.number().int(),
        rows: Rows.openapi({
          description: "The newest rows: ids, states and times (texts only with logging on)",
        }),
      }),
    ),
    logged: z.object({
      records: z.number().int(),
      items: Rows.openapi({
        description: "Copies kept by content logging: metadata in the look-up, decrypted in the export",
      }),
    }),
    requests: z.array(Entry).openapi({ description: "Request-log rows of the model calls that answered" }),
  })
  .openapi("WhatsAppContactData");

export const ContactExport = ContactData.extend({
  kind: z.literal("botmara-whatsapp-contact-export/1"),
  exportedAt: IsoDate,
}).openapi("WhatsAppContactExport");

export const ContactReceipt = z
  .object({
    kind: z.literal("botmara-contact-erasure-receipt/1"),
    issuer: z.string(),
    kid: z.string(),
    keys: z.string(),
    requestId: z.string(),
    subject: z.string(),
    requestedAt: IsoDate,
    completedAt: IsoDate,
    issuedAt: IsoDate,
    erased: z.array(z.object({ holder: z.string(), location: z.string(), records: z.number().int() })),
    retained: z.array(z.object({ what: z.string(), legalBasis: z.string(), until: z.string() })),
    backups: z.string(),
    jws: z
      .string()
      .openapi({ description: "Compact JWS (EdDSA); check it at POST /api/privacy/receipts/verify" }),
  })
  .openapi("WhatsAppContactErasureReceipt");
