// The operators' catalogue shapes, declared once: they validate and document /api/admin/catalogue (ADR 035).
import { z } from "@hono/zod-openapi";
import { IsoDate } from "../../../openapi";
import { PRICE_PATTERN } from "../prices";

const Price = z
  .string()
  .regex(PRICE_PATTERN, "a price is a decimal string of USD per 1M tokens, at most 6 decimals")
  .openapi({ example: "0.15", description: "USD per 1M tokens" });

const Capability = z.enum(["tools", "vision", "structured_output", "reasoning"]);
const Kind = z.enum(["chat", "embedding", "transcription"]);
export const ModelId = z
  .string()
  .max(200)
  .regex(/^[a-z0-9-]+\/[A-Za-z0-9._:-]+$/, "an id is provider/model")
  .openapi({ example: "openai/gpt-4o-mini" });

export const CatalogueOverrideInput = z
  .strictObject({
    modelId: ModelId,
    effectiveAt: z.iso.datetime({ offset: true }).optional().openapi({
      description:
        "When it applies (requests started at or after it): at least 60 seconds from now; default: in 60 seconds",
    }),
    disabled: z.boolean().default(false).openapi({ description: "Not listed and not callable" }),
    kind: Kind.optional().openapi({ description: "Only for a model the catalogue does not ship" }),
    upstream: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "The provider's name for it" }),
    contextTokens: z.number().int().positive().max(100_000_000).optional(),
    maxOutputTokens: z.number().int().min(0).max(100_000_000).optional(),
    capabilities: z.array(Capability).max(4).optional(),
    prices: z
      .strictObject({
        input: Price.optional(),
        output: Price.optional(),
        cachedInput: Price.optional(),
        cacheWrite: Price.optional(),
      })
      .optional(),
  })
  .openapi("CatalogueOverrideInput", {
    description:
      "A model's overrides from its effective time on; an absent field keeps the shipped catalogue's value",
  });
export type CatalogueOverrideInputValue = z.infer<typeof CatalogueOverrideInput>;

const NullablePrice = Price.nullable();

export const CatalogueOverride = z
  .object({
    id: z.number().int(),
    modelId: z.string(),
    effectiveAt: IsoDate,
    state: z.enum(["scheduled", "in_force", "superseded"]),
    disabled: z.boolean(),
    kind: Kind.nullable(),
    upstream: z.string().nullable(),
    contextTokens: z.number().int().nullable(),
    maxOutputTokens: z.number().int().nullable(),
    capabilities: z.array(Capability).nullable(),
    prices: z.object({
      input: NullablePrice,
      output: NullablePrice,
      cachedInput: NullablePrice,
      cacheWrite: NullablePrice,
    }),
  })
  .openapi("CatalogueOverride", { description: "null: the shipped catalogue's value" });
export type CatalogueOverrideView = z.infer<typeof CatalogueOverride>;

const OperatorModel = z
  .object({
    id: z.string(),
    provider: z.string(),
    source: z.enum(["shipped", "overridden", "added"]),
    disabled: z.boolean(),
    available: z.boolean().openapi({ description: "Whether this deployment has the provider configured" }),
    kind: Kind,
    upstream: z.string(),
    contextTokens: z.number().int(),
    maxOutputTokens: z.number().int(),
    capabilities: z.array(Capability),
    prices: z.object({
      input: Price,
      output: Price,
      cachedInput: NullablePrice,
      cacheWrite: NullablePrice,
    }),
  })
  .openapi("OperatorModel");
export type OperatorModelView = z.infer<typeof OperatorModel>;

export const OperatorCatalogue = z
  .object({
    models: z.array(OperatorModel),
    overrides: z.array(CatalogueOverride).openapi({ description: "Newest effective time first" }),
    propagationSeconds: z
      .number()
      .int()
      .openapi({ description: "How long another isolate may serve the previous state" }),
    leadSeconds: z
      .number()
      .int()
      .openapi({ description: "How far ahead of saving a change may take effect" }),
  })
  .openapi("OperatorCatalogue");
