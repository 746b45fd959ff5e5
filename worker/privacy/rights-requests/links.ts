// Single-use links sent by notice (confirm an emailed request, verify an email, cancel a deletion, revert an
// email change, reset a password): only the token's SHA-256 is stored, and using it is one conditional
// UPDATE, so it works once; it also dies when the account's security stamp moves on (worker/accounts/security-stamp.ts). Each caller names the purposes it accepts, so a link is only used for its own.
import { and, eq, gt, inArray, isNull } from "drizzle-orm";
import { privacyTokens } from "../../../db/schema";
import { linkStampCurrent, stampOf } from "../../accounts/security-stamp";
import { randomToken, sha256Hex } from "../../crypto/encoding";
import { getDb } from "../../db";
import { badRequest } from "../../errors";
import { HOUR_MS } from "../../time";

export type LinkPurpose = (typeof privacyTokens.$inferSelect)["purpose"];

/** How long an emailed link works (notices say so from this). */
export const LINK_TTL_MS = 24 * HOUR_MS;

export async function createLinkToken(
  env: Env,
  input: {
    purpose: LinkPurpose;
    accountId: string;
    requestId?: string | null;
    newEmail?: string | null;
    expiresAt?: Date;
  },
): Promise<string> {
  const token = randomToken(32);
  const now = new Date();
  await getDb(env.DB)
    .insert(privacyTokens)
    .values({
      tokenHash: await sha256Hex(token),
      purpose: input.purpose,
      accountId: input.accountId,
      requestId: input.requestId ?? null,
      newEmail: input.newEmail ?? null,
      expiresAt: input.expiresAt ?? new Date(now.getTime() + LINK_TTL_MS),
      createdAt: now,
      stamp: stampOf(input.accountId),
    });
  return token;
}

/** Retires every unused link of these purposes for the account (a newer one, or a revert, supersedes them). */
export async function retireLinks(env: Env, accountId: string, purposes: LinkPurpose[]): Promise<void> {
  await getDb(env.DB)
    .update(privacyTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(privacyTokens.accountId, accountId),
        inArray(privacyTokens.purpose, purposes),
        isNull(privacyTokens.usedAt),
      ),
    );
}

const invalid = () => badRequest("This link is invalid, expired or already used.", "token", "invalid_link");

/** What a link would do, without using it (for the confirmation page). */
export async function peekLinkToken(env: Env, token: string, purposes: readonly LinkPurpose[]) {
  const [row] = await getDb(env.DB)
    .select()
    .from(privacyTokens)
    .where(
      and(
        eq(privacyTokens.tokenHash, await sha256Hex(token)),
        inArray(privacyTokens.purpose, [...purposes]),
        isNull(privacyTokens.usedAt),
        gt(privacyTokens.expiresAt, new Date()),
        linkStampCurrent,
      ),
    );
  if (!row) throw invalid();
  return row;
}

/** Uses a link exactly once; a second use, an expired or a forged link is a 400. */
export async function consumeLinkToken(env: Env, token: string, purposes: readonly LinkPurpose[]) {
  const now = new Date();
  const [row] = await getDb(env.DB)
    .update(privacyTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(privacyTokens.tokenHash, await sha256Hex(token)),
        inArray(privacyTokens.purpose, [...purposes]),
        isNull(privacyTokens.usedAt),
        gt(privacyTokens.expiresAt, now),
        linkStampCurrent,
      ),
    )
    .returning();
  if (!row) throw invalid();
  return row;
}
