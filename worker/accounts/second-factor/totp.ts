// The authenticator app (TOTP, RFC 6238: SHA-1, 6 digits, 30 s — what every app reads from an otpauth:// URL).
// Set up in two steps (the secret, then a code from the app proves it was scanned); each code works once.
import { and, eq, isNotNull, isNull, lt } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { totpFactors } from "../../../db/schema";
import { getConfig } from "../../config";
import { getDb } from "../../db";
import type { Db, SessionPrincipal } from "../../env";
import { conflict } from "../../errors";
import { openTotpSecret, sealTotpSecret } from "./sealed-secret";

const PERIOD = 30;
/** One step either side: a phone's clock a little off, or a code typed as it turned over. */
const WINDOW = 1;

const totp = (secret: string, issuer: string, label: string) =>
  new TOTP({
    issuer,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD,
    secret: Secret.fromBase32(secret),
  });

/** A new secret for the account, pending until confirmed; an app already confirmed must be removed first. */
export async function startTotp(
  env: Env,
  session: SessionPrincipal,
): Promise<{ secret: string; otpauthUrl: string }> {
  const db = getDb(env.DB);
  if (await hasTotp(db, session.accountId))
    throw conflict(
      "An authenticator app is already set up. Remove it first to set up another.",
      "totp_already_on",
    );
  const secret = new Secret({ size: 20 }).base32;
  const sealed = await sealTotpSecret(env, session.accountId, secret);
  await db
    .insert(totpFactors)
    .values({ accountId: session.accountId, secretSealed: sealed, createdAt: new Date() })
    .onConflictDoUpdate({
      target: totpFactors.accountId,
      set: { secretSealed: sealed, createdAt: new Date(), lastStep: 0 },
      setWhere: isNull(totpFactors.confirmedAt),
    });
  const otpauthUrl = totp(secret, getConfig(env).appName, session.email).toString();
  return { secret, otpauthUrl };
}

export async function hasTotp(db: Db, accountId: string) {
  const [row] = await db
    .select({ accountId: totpFactors.accountId })
    .from(totpFactors)
    .where(and(eq(totpFactors.accountId, accountId), isNotNull(totpFactors.confirmedAt)))
    .limit(1);
  return Boolean(row);
}

/** The pending secret (for the setup page to show again), or null. */
export async function pendingTotpSecret(env: Env, accountId: string): Promise<string | null> {
  const [row] = await getDb(env.DB)
    .select()
    .from(totpFactors)
    .where(and(eq(totpFactors.accountId, accountId), isNull(totpFactors.confirmedAt)))
    .limit(1);
  return row ? openTotpSecret(env, accountId, row.secretSealed) : null;
}

/**
 * Checks a code against the account's app — the confirmed one, or with `pending` the one being set up — and
 * spends its time step: the UPDATE that records it only passes for a step later than the last one used, so a
 * code seen over a shoulder (or replayed in parallel) is refused. True when it matched and was not used before.
 */
export async function spendTotpCode(
  env: Env,
  accountId: string,
  code: string,
  { pending = false }: { pending?: boolean } = {},
  now = Date.now(),
): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const db = getDb(env.DB);
  const state = pending ? isNull(totpFactors.confirmedAt) : isNotNull(totpFactors.confirmedAt);
  const [row] = await db
    .select()
    .from(totpFactors)
    .where(and(eq(totpFactors.accountId, accountId), state))
    .limit(1);
  if (!row) return false;
  const secret = await openTotpSecret(env, accountId, row.secretSealed);
  if (!secret) return false;
  const delta = totp(secret, "", "").validate({ token: code, timestamp: now, window: WINDOW });
  if (delta === null) return false;
  const step = TOTP.counter({ period: PERIOD, timestamp: now }) + delta;
  const spent = await db
    .update(totpFactors)
    .set({ lastStep: step, ...(pending ? { confirmedAt: new Date(now) } : {}) })
    .where(and(eq(totpFactors.accountId, accountId), state, lt(totpFactors.lastStep, step)))
    .returning({ accountId: totpFactors.accountId });
  return spent.length === 1;
}

/** Removes the app (confirmed or pending); true when there was one. */
export async function removeTotp(db: Db, accountId: string): Promise<boolean> {
  const gone = await db
    .delete(totpFactors)
    .where(eq(totpFactors.accountId, accountId))
    .returning({ accountId: totpFactors.accountId });
  return gone.length > 0;
}
