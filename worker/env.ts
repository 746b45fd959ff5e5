// The Hono app's type: Cloudflare bindings plus what middleware puts on the context.
import type { DrizzleD1Database } from "drizzle-orm/d1";
import type * as schema from "../db/schema";
import type { DataPolicyName } from "./ai/data-policy/rules";
import type { Timing } from "./ai/timing";
import type { Config } from "./config";

export type Db = DrizzleD1Database<typeof schema>;

/** The account behind a browser session. */
export type SessionPrincipal = {
  accountId: string;
  email: string;
  /** The current email was proven by a link sent to it. */
  emailVerified: boolean;
  sessionHash: string;
  /** The last password re-entry on this session (sudo mode), if any. */
  reauthAt: Date | null;
  /** The account has a second factor in use (a confirmed authenticator app or a passkey). */
  secondFactor: boolean;
};

/** The account behind an API key. */
export type ApiKeyPrincipal = {
  accountId: string;
  keyId: string;
  rateLimitRpm: number | null;
  /** Epoch ms after which the key is refused (401 expired_api_key); null: never. */
  expiresAt: number | null;
  /** Most the key may spend per UTC calendar month, micro-USD; null: only the account's balance limits it. */
  monthlySpendLimitMicros: number | null;
  /** Narrows the account's data policy for this key's requests (worker/ai/data-policy). */
  dataPolicy: DataPolicyName;
  /** Providers the account stored its own key for (bring your own key); their requests use it. */
  byokProviders: string[];
  /** Its account's processing is restricted (Art. 18): every request is refused, 403 processing_restricted. */
  restricted: boolean;
};

export type AppEnv = {
  Bindings: Env;
  Variables: {
    db: Db;
    config: Config;
    session?: SessionPrincipal;
    apiKey?: ApiKeyPrincipal;
    /** When a /v1 request arrived (ai/timing.ts). */
    arrivedAt?: number;
    /** Server-Timing's stages, only when the client asked for them (ai/timing.ts). */
    timing?: Timing;
    /** Minted on arrival (request-id.ts): response headers, logs and the usage row share it. */
    requestId: string;
    /** The AI request was metered, so its metrics point is written by the metering (observability/metrics). */
    metered?: boolean;
  };
};

/** After requireSession (or requireAdmin): the session is there, so handlers read it without a `!`. */
export type SessionEnv = { Bindings: Env; Variables: AppEnv["Variables"] & { session: SessionPrincipal } };

/** After requireApiKey: the key is there. */
export type ApiKeyEnv = { Bindings: Env; Variables: AppEnv["Variables"] & { apiKey: ApiKeyPrincipal } };
