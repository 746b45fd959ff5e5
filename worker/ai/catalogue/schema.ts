// The shape of the shipped catalogue (catalogue.json), checked with zod at build (vite.config.ts) and in the
// tests — never at Worker startup, which only reads the already-checked data. A bad entry fails with its path.
import { z } from "zod";
import { PRICE_PATTERN } from "./prices";

/** The providers with code of their own (worker/ai/providers/registry.ts); every other provider is a
 * `connection` in the data. Kept in this file, which imports nothing of ours but the price pattern, so the build's check loads it alone. */
const NATIVE_PROVIDER_IDS = ["openai", "anthropic", "dev"] as const;

/** The wire formats a provider configured by data alone can speak (each is a folder under worker/ai/providers/). */
const CONNECTION_KINDS = ["openai-compatible", "gemini", "azure", "bedrock"] as const;

/** USD per 1M tokens as a decimal string ("0.075"): read exactly into integer micro-USD, never through floats. */
const price = z
  .string()
  .regex(PRICE_PATTERN, "a price is a decimal string of USD per 1M tokens, at most 6 decimals");

const dataPolicy = z.strictObject({
  /** Whether the provider trains its models on API inputs and outputs. */
  trainsOnData: z.boolean(),
  /** Days the provider keeps prompts and answers (abuse monitoring); 0 when it keeps none. */
  retentionDays: z.number().int().min(0),
  /** Whether this platform's agreement with the provider is zero data retention. */
  zeroDataRetention: z.boolean(),
  /** Where the provider processes requests: ISO region codes ("us", "eu") or "local". */
  regions: z.array(z.string().regex(/^[a-z-]+$/)).min(1),
  termsUrl: z.url(),
});

/** An environment variable (a secret or a var) by name. */
const setting = z.string().regex(/^[A-Z][A-Z0-9_]*$/, "a setting is an environment variable name");

/**
 * How to reach a provider configured by data alone: its wire format, default base URL (overridden by the
 * `baseUrlSetting` variable), the secret holding its key, extra headers, and the operations it answers. The
 * provider is enabled only when its key is set (or, for a keyless local server, its base URL on loopback).
 */
const connection = z.strictObject({
  kind: z.enum(CONNECTION_KINDS),
  /** Absent: the provider has no public endpoint (a local server) and is enabled by `baseUrlSetting` alone. */
  baseUrl: z.url().optional(),
  baseUrlSetting: setting,
  keySetting: setting,
  /** Sent on every request beside the key (OpenRouter's attribution headers); never secrets. */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).optional(),
  /** Query parameters on every request (Azure's `api-version`). */
  query: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), z.string()).optional(),
  /** The AWS region a SigV4-signed provider signs for (Bedrock); absent: read from the base URL. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
    .optional(),
  /** The operations besides chat completions the provider answers ("embeddings", "responses"). */
  operations: z.array(z.enum(["embeddings", "responses"])).optional(),
});

const provider = z.strictObject({ label: z.string().min(1), connection: connection.optional(), dataPolicy });

const capability = z.enum(["tools", "vision", "structured_output", "reasoning"]);

const modelId = z.string().regex(/^[a-z0-9-]+\/[A-Za-z0-9._:-]+$/, "an id is provider/model");

const servedModel = z.strictObject({
  id: modelId,
  /** The name the provider knows it by; default: the id after "provider/" (the dev provider: the whole id). */
  upstream: z.string().min(1).optional(),
  /** transcription: speech to text (`/audio/transcriptions`), input priced per audio token. */
  kind: z.enum(["chat", "embedding", "transcription"]),
  contextTokens: z.number().int().positive(),
  maxOutputTokens: z.number().int().min(0),
  capabilities: z.array(capability),
  prices: z.strictObject({
    input: price,
    output: price,
    /** Input read from the provider's prompt cache; absent: the provider has no cache price (billed as input). */
    cachedInput: price.optional(),
    /** Input written to the provider's prompt cache (Anthropic); absent: writes cost nothing extra. */
    cacheWrite: price.optional(),
  }),
});

/** An old id that still works: answered by the model it names, billed at that model's prices. */
const aliasModel = z.strictObject({ id: modelId, kind: z.literal("alias"), aliasOf: modelId });

/** An old id that no longer works: refused with the date it was retired and the id to use instead. */
const deprecatedModel = z.strictObject({
  id: modelId,
  kind: z.literal("deprecated"),
  deprecated: z.strictObject({ since: z.iso.date(), use: modelId }),
});

const entry = z.discriminatedUnion("kind", [servedModel, aliasModel, deprecatedModel]);

const catalogueSchema = z
  .strictObject({
    $comment: z.string().optional(),
    providers: z.record(
      z.string().regex(/^[a-z0-9-]+$/, "a provider id is lowercase letters, digits and -"),
      provider,
    ),
    models: z.array(entry),
  })
  .superRefine((file, ctx) => {
    for (const [id, p] of Object.entries(file.providers)) {
      const native = (NATIVE_PROVIDER_IDS as readonly string[]).includes(id);
      if (native === !!p.connection) {
        ctx.addIssue({
          code: "custom",
          path: ["providers", id],
          message: native
            ? `${id} has code of its own: it takes no connection`
            : `${id}: a provider without code of its own needs a connection`,
        });
      }
    }
    const ids = new Map<string, z.infer<typeof entry>>();
    file.models.forEach((m, i) => {
      if (ids.has(m.id))
        ctx.addIssue({ code: "custom", path: ["models", i, "id"], message: `${m.id} is listed twice` });
      ids.set(m.id, m);
    });
    file.models.forEach((m, i) => {
      const at = (...rest: (string | number)[]) => ["models", i, ...rest];
      const providerId = m.id.split("/")[0]!;
      if (!(providerId in file.providers)) {
        ctx.addIssue({ code: "custom", path: at("id"), message: `${m.id}: no provider "${providerId}"` });
      }
      if (m.kind === "alias" || m.kind === "deprecated") {
        const target = m.kind === "alias" ? m.aliasOf : m.deprecated.use;
        const t = ids.get(target);
        if (!t || t.kind === "alias" || t.kind === "deprecated") {
          ctx.addIssue({
            code: "custom",
            path: at(m.kind === "alias" ? "aliasOf" : "deprecated"),
            message: `${m.id} points at ${target}, which is not a served model`,
          });
        }
        return;
      }
      const p = m.prices;
      if (p.cachedInput !== undefined && Number(p.cachedInput) > Number(p.input)) {
        ctx.addIssue({
          code: "custom",
          path: at("prices", "cachedInput"),
          message: `${m.id}: cached input costs more than input`,
        });
      }
      if (m.kind === "embedding" && (Number(p.output) !== 0 || m.maxOutputTokens !== 0)) {
        ctx.addIssue({
          code: "custom",
          path: at("prices", "output"),
          message: `${m.id}: an embedding model has no output`,
        });
      }
      if (m.kind !== "embedding" && (m.maxOutputTokens === 0 || m.maxOutputTokens > m.contextTokens)) {
        ctx.addIssue({
          code: "custom",
          path: at("maxOutputTokens"),
          message: `${m.id}: the output limit must be between 1 and the context`,
        });
      }
    });
  });

export type CatalogueFile = z.infer<typeof catalogueSchema>;

/**
 * The catalogue, or an Error naming the first bad entry by its path ("models[3].prices.input: …").
 * Run by scripts/check-catalogue.ts before every build, by the tests, and on an operator's override (loaded
 * only then: the Worker's start-up never builds this schema).
 */
export function checkCatalogue(data: unknown, file = "catalogue.json"): CatalogueFile {
  const parsed = catalogueSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("")
    .replace(/^\./, "");
  throw new Error(`${file}: ${path}: ${issue.message}`);
}
