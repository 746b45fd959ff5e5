// The running configuration, parsed once per isolate from vars and secrets with zod.
// The /privacy page and the promise report read the same object that enforces the rules.
import { z } from "zod";
import { readConnections } from "./ai/providers/connections";
import { authLimitsVar } from "./security/auth-limits";
import { isLoopbackUrl } from "./security/loopback";

const csv = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? "")
      .split(",")
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean),
  );
const optionalSecret = z
  .string()
  .optional()
  .transform((s) => (s?.trim() ? s.trim() : undefined));
const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((s) => (s === undefined || s === "" ? fallback : s === "true" || s === "1"));

const envSchema = z.object({
  APP_NAME: z.string().default("Botmara"),
  PRIVACY_CONTACT: z.string().default("privacy@botmara.com"),
  ADMIN_EMAILS: csv,
  OPENAI_API_KEY: optionalSecret,
  OPENAI_BASE_URL: z.url().default("https://api.openai.com/v1"),
  ANTHROPIC_API_KEY: optionalSecret,
  ANTHROPIC_BASE_URL: z.url().default("https://api.anthropic.com"),
  STRIPE_SECRET_KEY: optionalSecret,
  STRIPE_WEBHOOK_SECRET: optionalSecret,
  STRIPE_API_BASE_URL: z.url().default("https://api.stripe.com"),
  /** Stripe price ids of the paid plans; a plan whose price is empty cannot be bought. */
  STRIPE_PRICE_PRO: optionalSecret,
  STRIPE_PRICE_TEAM: optionalSecret,
  WHATSAPP_GRAPH_BASE_URL: z.url().default("https://graph.facebook.com/v21.0"),
  /** The catalogue model that transcribes WhatsApp voice notes (a `transcription` model). */
  WHATSAPP_TRANSCRIPTION_MODEL: z.string().min(1).default("openai/gpt-4o-mini-transcribe"),
  MASTER_KEY: optionalSecret,
  /** During a MASTER_KEY rotation: the old key, still accepted to unwrap data keys until re-wrapped. */
  MASTER_KEY_PREVIOUS: optionalSecret,
  /** "resend": Resend's email API (production). "local": the dev mailbox, honoured in local mode only. */
  MAIL_TRANSPORT: z.enum(["resend", "local"]).default("resend"),
  /** Resend's API base (https; plain http only on loopback in local mode, for the fake). */
  MAIL_API_URL: optionalSecret,
  MAIL_API_KEY: optionalSecret,
  MAIL_FROM: z.string().default("Botmara <no-reply@botmara.com>"),
  /** Deadline of one delivery attempt; a notice that misses it stays in the outbox and is retried. */
  MAIL_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Hours a deletion waits (cancelable) before it runs; 0 runs it at once. */
  DELETION_GRACE_HOURS: z.coerce.number().int().min(0).max(720).default(0),
  /** Local mode only. "auto": the built-in dev provider answers when no provider key is configured. */
  DEV_PROVIDER: z.enum(["auto", "on", "off"]).default("auto"),
  /**
   * Set only by the processes that serve the Worker locally (npm start, npm run dev, the tests), never by
   * wrangler.toml: turns on the development surfaces (dev mailbox, dev/* provider, plain-http loopback upstreams).
   */
  LOCAL_MODE: bool(false),
  /** AI proxy: per-request upstream deadline, retries before the first byte, default per-key requests/minute. */
  AI_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  AI_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  AI_RATE_LIMIT_RPM: z.coerce.number().int().min(1).default(600),
  /** Fallback chains, e.g. "openai/gpt-4o-mini=anthropic/claude-3-5-haiku-latest|dev/echo,anthropic/x=openai/y". */
  AI_FALLBACKS: z.string().default(""),
  /** What a request sent with the customer's own provider key costs, as a percentage of the list price. */
  BYOK_PLATFORM_FEE_PERCENT: z.coerce.number().min(0).max(100).multipleOf(0.01).default(0),
  /** Days raw usage rows are kept; older ones live on only in the daily aggregates (billing, charts). */
  USAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** Share of successful requests that get an access-log line (every 4xx/5xx gets one): 0 to 1. */
  ACCESS_LOG_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0.01),
  /** Log lines as JSON (production, the tests) or one compact line a person reads (`npm start` sets human). */
  LOG_FORMAT: z.enum(["json", "human"]).default("json"),
  /** Hours of the request log kept as rows in the account's object before they are sealed into R2 (ADR 090). */
  REQUEST_LOG_WINDOW_HOURS: z.coerce.number().int().min(1).max(168).default(24),
  AUTH_LIMITS: authLimitsVar,
  /** Operators must have a second factor before any admin page or route answers (on unless set to false). */
  REQUIRE_2FA_FOR_OPERATORS: bool(true),
  /** The Analytics Engine dataset behind the METRICS binding, for the SQL API that reads it (ADR 091). */
  METRICS_DATASET: z
    .string()
    .regex(/^[A-Za-z0-9_]+$/)
    .default("botmara_requests"),
  /** The Cloudflare account whose Analytics Engine SQL API /admin/metrics reads (with ANALYTICS_API_TOKEN). */
  ANALYTICS_ACCOUNT_ID: optionalSecret,
  /** An API token with Account Analytics: Read. Secret. */
  ANALYTICS_API_TOKEN: optionalSecret,
  /** Alert thresholds over the last hour (ADR 091): share of API requests answered with an error, ≥ 0 to 1. */
  ALERT_ERROR_RATE: z.coerce.number().min(0).max(1).default(0.05),
  /** 95th percentile of the metering lag (response end → row in the account's object), milliseconds. */
  ALERT_METERING_LAG_MS: z.coerce.number().int().min(1).default(60_000),
  /** Usage batches dead-lettered in the last hour. */
  ALERT_DEAD_LETTERS: z.coerce.number().int().min(1).default(1),
  /**
   * Where stored data lives. "eu": Durable Objects in the `eu` jurisdiction (ids made through
   * `ACCOUNT.jurisdiction("eu")`) and the R2 bucket bound with `jurisdiction = "eu"` (the preflight holds the
   * two together); D1 gets only a location hint at creation. Choose before the first account: objects made
   * under one setting are not found under the other (ADR 055).
   */
  DATA_RESIDENCY: z.enum(["global", "eu"]).default("global"),
});

export type Config = ReturnType<typeof buildConfig>;

/** Facts the policy states; changing one here changes the page and the behaviour together. */
export const policy = {
  version: "2025-01",
  deletionDeadlineDays: 30,
  retentionChoicesDays: [1, 7, 30, 90] as const,
  contentLoggingDefault: false,
  trainingConsentDefault: false,
};

/** "a=b|c,d=e" → { a: [b, c], d: [e] } */
function parseFallbacks(spec: string): Record<string, string[]> {
  const chains: Record<string, string[]> = {};
  for (const item of spec.split(",")) {
    const [model, list] = item.split("=").map((s) => s.trim());
    if (model && list)
      chains[model] = list
        .split("|")
        .map((s) => s.trim())
        .filter(Boolean);
  }
  return chains;
}

/**
 * Where notices go. Outside local mode always to the real provider, whatever MAIL_TRANSPORT says (a
 * deployed Worker has no dev mailbox). In local mode to the dev mailbox unless a provider key is set and
 * MAIL_TRANSPORT is not "local" (a developer trying real mail).
 */
function mailTransport(v: z.infer<typeof envSchema>): "resend" | "local" {
  if (v.LOCAL_MODE && (v.MAIL_TRANSPORT === "local" || !v.MAIL_API_KEY)) return "local";
  return "resend";
}

/**
 * A local model server (Ollama, LM Studio, vLLM on loopback, in local mode) usually wants no key: the base URL
 * alone configures the provider, and this placeholder goes in the Authorization header.
 */
function localServerKey(localMode: boolean, baseUrl: string): string | undefined {
  return localMode && isLoopbackUrl(baseUrl) ? "local-model-server" : undefined;
}

function buildConfig(env: Env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const v = parsed.data;
  return {
    appName: v.APP_NAME,
    privacyContact: v.PRIVACY_CONTACT,
    adminEmails: new Set(v.ADMIN_EMAILS.map((e) => e.normalize("NFKC"))),
    openai: {
      apiKey: v.OPENAI_API_KEY ?? localServerKey(v.LOCAL_MODE, v.OPENAI_BASE_URL),
      baseUrl: v.OPENAI_BASE_URL.replace(/\/+$/, ""),
    },
    anthropic: {
      apiKey: v.ANTHROPIC_API_KEY ?? localServerKey(v.LOCAL_MODE, v.ANTHROPIC_BASE_URL),
      baseUrl: v.ANTHROPIC_BASE_URL.replace(/\/+$/, ""),
    },
    /** The providers configured by data alone (catalogue.json `connection`): base URL and key of each. */
    connections: readConnections(env as unknown as Record<string, unknown>, v.LOCAL_MODE),
    stripe: {
      secretKey: v.STRIPE_SECRET_KEY,
      webhookSecret: v.STRIPE_WEBHOOK_SECRET,
      apiBaseUrl: v.STRIPE_API_BASE_URL,
      prices: { pro: v.STRIPE_PRICE_PRO, team: v.STRIPE_PRICE_TEAM },
    },
    whatsapp: {
      graphBaseUrl: v.WHATSAPP_GRAPH_BASE_URL.replace(/\/+$/, ""),
      transcriptionModel: v.WHATSAPP_TRANSCRIPTION_MODEL,
    },
    mail: {
      transport: mailTransport(v),
      apiUrl: (v.MAIL_API_URL ?? "https://api.resend.com").replace(/\/+$/, ""),
      apiKey: v.MAIL_API_KEY,
      from: v.MAIL_FROM,
      timeoutMs: v.MAIL_TIMEOUT_MS,
    },
    deletionGraceHours: v.DELETION_GRACE_HOURS,
    /** The one notion of local: development surfaces exist only when this is true. */
    localMode: v.LOCAL_MODE,
    devProvider:
      v.LOCAL_MODE &&
      (v.DEV_PROVIDER === "on" || (v.DEV_PROVIDER === "auto" && !v.OPENAI_API_KEY && !v.ANTHROPIC_API_KEY)),
    ai: {
      timeoutMs: v.AI_TIMEOUT_MS,
      maxRetries: v.AI_MAX_RETRIES,
      rateLimitRpm: v.AI_RATE_LIMIT_RPM,
      fallbacks: parseFallbacks(v.AI_FALLBACKS),
      /** The platform fee on requests sent with a customer's own key, in basis points of the list price. */
      byokFeeBasisPoints: Math.round(v.BYOK_PLATFORM_FEE_PERCENT * 100),
      usageRetentionDays: v.USAGE_RETENTION_DAYS,
    },
    requestLog: { windowHours: v.REQUEST_LOG_WINDOW_HOURS },
    accessLogSampleRate: v.ACCESS_LOG_SAMPLE_RATE,
    metrics: {
      dataset: v.METRICS_DATASET,
      sqlApi:
        v.ANALYTICS_ACCOUNT_ID && v.ANALYTICS_API_TOKEN
          ? { accountId: v.ANALYTICS_ACCOUNT_ID, token: v.ANALYTICS_API_TOKEN }
          : undefined,
      alerts: {
        errorRate: v.ALERT_ERROR_RATE,
        meteringLagMs: v.ALERT_METERING_LAG_MS,
        deadLetters: v.ALERT_DEAD_LETTERS,
      },
    },
    logFormat: v.LOG_FORMAT,
    authLimits: v.AUTH_LIMITS,
    dataResidency: v.DATA_RESIDENCY,
    requireSecondFactorForOperators: v.REQUIRE_2FA_FOR_OPERATORS,
    policy,
  };
}

const cache = new WeakMap<object, Config>();

/** The parsed configuration for this env object (the same object across requests in an isolate). */
export function getConfig(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    config = buildConfig(env);
    cache.set(env, config);
  }
  return config;
}
