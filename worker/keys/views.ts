// The API keys' shapes, declared once: the zod schemas validate and document /api/keys, and the types the
// service takes and returns are derived from them.
import { z } from "@hono/zod-openapi";
import { dataPolicies } from "../../db/schema";
import { IsoDate } from "../openapi";

export const Key = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ example: "bm_Xk3v9QaZ" }),
    createdAt: IsoDate,
    lastUsedAt: IsoDate.nullable(),
    revokedAt: IsoDate.nullable(),
    rateLimitRpm: z.number().int().nullable().openapi({ description: "null: the platform default" }),
    expiresAt: IsoDate.nullable().openapi({ description: "null: never expires" }),
    monthlySpendLimitCents: z.number().int().nullable().openapi({
      description: "Most the key may spend per calendar month (UTC), in US cents; null: no limit",
    }),
    dataPolicy: z.enum(dataPolicies),
  })
  .openapi("ApiKey");

export const CreatedKey = Key.extend({
  key: z.string().openapi({ description: "The secret. Shown only in this response." }),
}).openapi("CreatedApiKey");

/** Settings a create or an update may carry; null clears an optional one. */
export const keySettingsFields = {
  rateLimitRpm: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .nullable()
    .optional()
    .openapi({ description: "Requests per minute; at most the plan's ceiling (400 rate_limit_above_plan)" }),
  expiresAt: z.iso
    .datetime({ offset: true })
    .nullable()
    .optional()
    .openapi({ description: "After this instant the key is refused with 401; must be in the future" }),
  monthlySpendLimitCents: z.number().int().min(1).max(100_000_000).nullable().optional(),
  dataPolicy: z.enum(dataPolicies).optional().openapi({
    description:
      "Narrows the account's data policy for this key: both apply, so a key can only narrow it ('any' adds nothing)",
  }),
};
export const KeyPatch = z
  .strictObject({ name: z.string().trim().min(1).max(100).optional(), ...keySettingsFields })
  .openapi("ApiKeyPatch");

export type KeyView = z.infer<typeof Key>;
export type CreatedKeyView = z.infer<typeof CreatedKey>;
/**
 * What a create or an update may set, as the patch schema says; `null` clears an optional setting,
 * `undefined` leaves it. The expiry is an ISO string on the wire and a Date once parsed (the API and the
 * dashboard's form parse it each their own way).
 */
export type KeySettings = Omit<z.infer<typeof KeyPatch>, "expiresAt"> & { expiresAt?: Date | null };
