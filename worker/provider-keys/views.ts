// The customers' own provider keys' shapes, declared once: they validate and document /api/provider-keys.
import { z } from "@hono/zod-openapi";
import data from "../ai/catalogue/catalogue.json";
import type { CatalogueFile } from "../ai/catalogue/schema";
import type { ProviderId } from "../ai/providers/types";
import { IsoDate } from "../openapi";

/** Providers a customer may bring a key for: every one with a public endpoint (not the built-in dev one, not a
 * local model server, which has no base URL of its own). */
const BYOK_PROVIDERS = Object.entries((data as CatalogueFile).providers)
  .filter(([id, p]) => id !== "dev" && (!p.connection || p.connection.baseUrl))
  .map(([id]) => id) as [ProviderId, ...ProviderId[]];
export type ByokProvider = ProviderId;

export const ProviderParam = z.object({
  provider: z.enum(BYOK_PROVIDERS).openapi({ param: { name: "provider", in: "path" }, example: "openai" }),
});

export const ProviderKey = z
  .object({
    provider: z.enum(BYOK_PROVIDERS),
    prefix: z.string().openapi({ description: "The key's first characters; the key itself is never shown" }),
    createdAt: IsoDate,
    allowPlatformFallback: z.boolean().openapi({
      description:
        "When the provider refuses your key, send the request with the platform's key instead (billed at list price); off: 424 byok_key_rejected",
    }),
  })
  .openapi("ProviderKey");

export const ProviderKeyInput = z
  .strictObject({
    key: z.string().trim().min(8).max(512).regex(/^\S+$/, "a key has no spaces"),
    allowPlatformFallback: z.boolean().optional(),
    password: z.string().max(1024).optional().openapi({
      description: "Your password, unless you re-authenticated in the last 10 minutes",
    }),
  })
  .openapi("ProviderKeyInput");

export const ProviderKeyPatch = z
  .strictObject({ allowPlatformFallback: z.boolean() })
  .openapi("ProviderKeyPatch");

export type ProviderKeyView = z.infer<typeof ProviderKey>;
